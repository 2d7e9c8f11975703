#include "render.h"

#include "fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <SDL_image.h>
#include <qrencode.h>

/* A backend makes r->renderer (and whatever it draws to) and tears it down.
 * Everything after that is plain SDL_Renderer calls shared by all backends. */
struct render_backend {
    const char *name;
    bool (*open)(struct render *r, const struct render_opts *opts, struct sg_err *err);
    void (*close)(struct render *r);
};

struct render {
    const struct render_backend *backend;
    SDL_Window *window;   /* window backend */
    SDL_Surface *surface; /* headless backend: the output */
    SDL_Renderer *renderer;
    bool video_init;
    int out_w, out_h; /* physical */
    int log_w, log_h; /* cards */
    int rotate;
    struct fonts *fonts;
    size_t ncards;
    /* The frame on the output now, so an unchanged present is skipped and
     * a screenshot can draw it again (a window's back buffer is undefined
     * after SDL_RenderPresent). Cleared when one of its cards is freed. */
    const struct render_card *shown_from, *shown_to;
    int shown_alpha;
    bool shown_valid;
    char describe[128];
};

struct render_card {
    struct render *r;
    SDL_Texture *tex; /* log_w x log_h, opaque */
};

/* --- backends ----------------------------------------------------------- */

static bool render_window_open(struct render *r, const struct render_opts *opts, struct sg_err *err)
{
    /* The software renderer draws into the window surface; without this hint
     * SDL backs that surface with GL and maps Mesa (about 90 MiB PSS and
     * 150 ms more to the first frame, measured by tests/bench). */
    if (opts->software)
        SDL_SetHint(SDL_HINT_FRAMEBUFFER_ACCELERATION, "0");
    if (SDL_InitSubSystem(SDL_INIT_VIDEO) != 0) {
        sg_err_set(err, "render: SDL video: %s", SDL_GetError());
        return false;
    }
    r->video_init = true;
    Uint32 flags = SDL_WINDOW_SHOWN | (opts->fullscreen ? SDL_WINDOW_FULLSCREEN_DESKTOP : 0);
    r->window = SDL_CreateWindow(opts->title ? opts->title : "Signet", SDL_WINDOWPOS_UNDEFINED,
                                 SDL_WINDOWPOS_UNDEFINED, opts->width, opts->height, flags);
    if (!r->window) {
        sg_err_set(err, "render: window: %s", SDL_GetError());
        return false;
    }
    if (!opts->software)
        r->renderer = SDL_CreateRenderer(r->window, -1,
                                         SDL_RENDERER_ACCELERATED | SDL_RENDERER_PRESENTVSYNC |
                                             SDL_RENDERER_TARGETTEXTURE);
    if (!r->renderer)
        r->renderer =
            SDL_CreateRenderer(r->window, -1, SDL_RENDERER_SOFTWARE | SDL_RENDERER_TARGETTEXTURE);
    if (!r->renderer) {
        sg_err_set(err, "render: renderer: %s", SDL_GetError());
        return false;
    }
    if (opts->fullscreen)
        SDL_ShowCursor(SDL_DISABLE);
    if (SDL_GetRendererOutputSize(r->renderer, &r->out_w, &r->out_h) != 0) {
        sg_err_set(err, "render: output size: %s", SDL_GetError());
        return false;
    }
    return true;
}

static void render_window_close(struct render *r)
{
    if (r->renderer)
        SDL_DestroyRenderer(r->renderer);
    r->renderer = NULL;
    if (r->window)
        SDL_DestroyWindow(r->window);
    r->window = NULL;
    if (r->video_init)
        SDL_QuitSubSystem(SDL_INIT_VIDEO);
    r->video_init = false;
}

static bool render_headless_open(struct render *r, const struct render_opts *opts,
                                 struct sg_err *err)
{
    r->surface =
        SDL_CreateRGBSurfaceWithFormat(0, opts->width, opts->height, 32, SDL_PIXELFORMAT_ARGB8888);
    if (!r->surface) {
        sg_err_set(err, "render: output surface: %s", SDL_GetError());
        return false;
    }
    r->renderer = SDL_CreateSoftwareRenderer(r->surface);
    if (!r->renderer) {
        sg_err_set(err, "render: software renderer: %s", SDL_GetError());
        return false;
    }
    r->out_w = opts->width;
    r->out_h = opts->height;
    return true;
}

static void render_headless_close(struct render *r)
{
    if (r->renderer)
        SDL_DestroyRenderer(r->renderer);
    r->renderer = NULL;
    SDL_FreeSurface(r->surface);
    r->surface = NULL;
}

static const struct render_backend render_backend_window = {
    .name = "window",
    .open = render_window_open,
    .close = render_window_close,
};

static const struct render_backend render_backend_headless = {
    .name = "headless",
    .open = render_headless_open,
    .close = render_headless_close,
};

/* --- lifecycle ---------------------------------------------------------- */

struct render *render_new(const struct render_opts *opts, struct sg_err *err)
{
    if (opts->rotate != 0 && opts->rotate != 90 && opts->rotate != 180 && opts->rotate != 270) {
        sg_err_set(err, "render: rotate must be 0, 90, 180 or 270, not %d", opts->rotate);
        return NULL;
    }
    if (opts->width < 1 || opts->width > RENDER_MAX_SIDE || opts->height < 1 ||
        opts->height > RENDER_MAX_SIDE) {
        sg_err_set(err, "render: output size %d x %d outside 1..%d", opts->width, opts->height,
                   RENDER_MAX_SIDE);
        return NULL;
    }
    struct render *r = calloc(1, sizeof *r);
    if (!r) {
        sg_err_set(err, "render: out of memory");
        return NULL;
    }
    r->rotate = opts->rotate;
    r->backend = opts->headless ? &render_backend_headless : &render_backend_window;
    if (!r->backend->open(r, opts, err))
        goto fail;
    if (!SDL_RenderTargetSupported(r->renderer)) {
        sg_err_set(err, "render: the renderer cannot draw into textures");
        goto fail;
    }
    bool turned = r->rotate == 90 || r->rotate == 270;
    r->log_w = turned ? r->out_h : r->out_w;
    r->log_h = turned ? r->out_w : r->out_h;
    SDL_RendererInfo info;
    if (SDL_GetRendererInfo(r->renderer, &info) != 0) {
        sg_err_set(err, "render: renderer info: %s", SDL_GetError());
        goto fail;
    }
    if ((info.max_texture_width && r->log_w > info.max_texture_width) ||
        (info.max_texture_height && r->log_h > info.max_texture_height)) {
        sg_err_set(err, "render: %s cannot hold a %d x %d card (max texture %d x %d)", info.name,
                   r->log_w, r->log_h, info.max_texture_width, info.max_texture_height);
        goto fail;
    }
    snprintf(r->describe, sizeof r->describe, "%s, SDL renderer %s, %dx%d, rotate %d",
             r->backend->name, info.name, r->out_w, r->out_h, r->rotate);
    r->fonts = fonts_new(&opts->fonts, err);
    if (!r->fonts)
        goto fail;
    return r;
fail:
    render_free(r);
    return NULL;
}

void render_free(struct render *r)
{
    if (!r)
        return;
    /* A card outliving r would hold a texture of a destroyed renderer. */
    SDL_assert(r->ncards == 0);
    fonts_free(r->fonts);
    r->backend->close(r);
    free(r);
}

void render_logical_size(const struct render *r, int *w, int *h)
{
    *w = r->log_w;
    *h = r->log_h;
}

void render_output_size(const struct render *r, int *w, int *h)
{
    *w = r->out_w;
    *h = r->out_h;
}

struct fonts *render_fonts(struct render *r)
{
    return r->fonts;
}

const char *render_describe(const struct render *r)
{
    return r->describe;
}

/* --- drawing a card ----------------------------------------------------- */

static bool render_color(struct render *r, uint32_t rgb, struct sg_err *err)
{
    if (SDL_SetRenderDrawColor(r->renderer, (rgb >> 16) & 0xFF, (rgb >> 8) & 0xFF, rgb & 0xFF,
                               0xFF) != 0) {
        sg_err_set(err, "render: draw colour: %s", SDL_GetError());
        return false;
    }
    return true;
}

static bool render_fill(struct render *r, const SDL_Rect *rect, uint32_t rgb, struct sg_err *err)
{
    if (!render_color(r, rgb, err))
        return false;
    if (SDL_RenderFillRect(r->renderer, rect) != 0) {
        sg_err_set(err, "render: fill: %s", SDL_GetError());
        return false;
    }
    return true;
}

/* Copies a surface into the current target at dst, then drops the texture. */
static bool render_blit(struct render *r, SDL_Surface *s, const SDL_Rect *dst, bool smooth,
                        struct sg_err *err)
{
    SDL_Texture *t = SDL_CreateTextureFromSurface(r->renderer, s);
    if (!t) {
        sg_err_set(err, "render: texture: %s", SDL_GetError());
        return false;
    }
    bool ok = true;
    if (smooth && SDL_SetTextureScaleMode(t, SDL_ScaleModeBest) != 0) {
        sg_err_set(err, "render: scale mode: %s", SDL_GetError());
        ok = false;
    }
    if (ok && SDL_RenderCopy(r->renderer, t, NULL, dst) != 0) {
        sg_err_set(err, "render: copy: %s", SDL_GetError());
        ok = false;
    }
    SDL_DestroyTexture(t);
    return ok;
}

struct render_text_ctx {
    struct render *r;
    int x, baseline;
    SDL_Color color;
    struct sg_err *err;
};

static bool render_text_run(void *ctx, TTF_Font *ttf, enum fonts_role role, int x, const char *run,
                            size_t len)
{
    struct render_text_ctx *c = ctx;
    (void)role;
    (void)len;
    /* A run that advances nothing (a lone combining mark, say) has no
     * surface: SDL_ttf refuses zero-width text. */
    int w = 0;
    if (TTF_SizeUTF8(ttf, run, &w, NULL) != 0) {
        sg_err_set(c->err, "render: text size: %s", TTF_GetError());
        return false;
    }
    if (w <= 0)
        return true;
    SDL_Surface *s = TTF_RenderUTF8_Blended(ttf, run, c->color);
    if (!s) {
        sg_err_set(c->err, "render: text: %s", TTF_GetError());
        return false;
    }
    /* Every run sits on the primary font's baseline, whatever its ascent. */
    SDL_Rect dst = {c->x + x, c->baseline - TTF_FontAscent(ttf), s->w, s->h};
    bool ok = render_blit(c->r, s, &dst, false, c->err);
    SDL_FreeSurface(s);
    return ok;
}

static bool render_text(struct render *r, const struct layout_list *list,
                        const struct layout_op *op, struct sg_err *err)
{
    if (op->text_off > list->text_len || op->text_len > list->text_len - op->text_off) {
        sg_err_set(err, "render: text op outside the list's text");
        return false;
    }
    int ascent, height;
    if (!fonts_metrics(r->fonts, op->font, op->px, &ascent, &height, err))
        return false;
    struct render_text_ctx c = {
        .r = r,
        .x = op->x,
        /* The font's line centred in the op's line box. */
        .baseline = op->y + (op->h - height) / 2 + ascent,
        .color = {(op->color >> 16) & 0xFF, (op->color >> 8) & 0xFF, op->color & 0xFF, 0xFF},
        .err = err,
    };
    return fonts_runs(r->fonts, op->font, op->px, list->text + op->text_off, op->text_len,
                      render_text_run, &c, NULL, err);
}

static bool render_image(struct render *r, const struct layout_op *op, SDL_Surface *img,
                         struct sg_err *err)
{
    if (!img || img->w < 1 || img->h < 1 || op->w < 1 || op->h < 1)
        return true;
    /* Fit inside the box keeping the aspect ratio: scale by the smaller
     * ratio, centre along the other axis. 64-bit: 4096 * 8192 overflows no int. */
    int dw, dh;
    if ((int64_t)op->w * img->h <= (int64_t)op->h * img->w) {
        dw = op->w;
        dh = (int)(((int64_t)img->h * op->w + img->w / 2) / img->w);
    } else {
        dh = op->h;
        dw = (int)(((int64_t)img->w * op->h + img->h / 2) / img->h);
    }
    if (dw < 1 || dh < 1)
        return true;
    SDL_Rect dst = {op->x + (op->w - dw) / 2, op->y + (op->h - dh) / 2, dw, dh};

    SDL_RendererInfo info;
    if (SDL_GetRendererInfo(r->renderer, &info) != 0) {
        sg_err_set(err, "render: renderer info: %s", SDL_GetError());
        return false;
    }
    bool too_big = (info.max_texture_width && img->w > info.max_texture_width) ||
                   (info.max_texture_height && img->h > info.max_texture_height);
    if (!too_big)
        return render_blit(r, img, &dst, true, err);

    /* Larger than the GPU takes (a 4096 px photo on a 2048 px GLES2 limit):
     * shrink on the CPU to the size it is shown at. */
    SDL_Surface *src = SDL_ConvertSurfaceFormat(img, SDL_PIXELFORMAT_ARGB8888, 0);
    SDL_Surface *small = SDL_CreateRGBSurfaceWithFormat(0, dw, dh, 32, SDL_PIXELFORMAT_ARGB8888);
    bool ok = src && small;
    if (!ok)
        sg_err_set(err, "render: image surface: %s", SDL_GetError());
    if (ok && SDL_SoftStretchLinear(src, NULL, small, NULL) != 0) {
        sg_err_set(err, "render: image scale: %s", SDL_GetError());
        ok = false;
    }
    if (ok)
        ok = render_blit(r, small, &dst, false, err);
    SDL_FreeSurface(small);
    SDL_FreeSurface(src);
    return ok;
}

static bool render_qr(struct render *r, const struct layout_op *op, const char *link,
                      struct sg_err *err)
{
    if (!link || !*link || op->w < 1 || op->h < 1)
        return true;
    QRcode *qr = QRcode_encodeString(link, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
    if (!qr) {
        sg_err_set(err, "render: QR code of a %zu-byte link: %s", strlen(link), strerror(errno));
        return false;
    }
    /* Whole pixels per module keep the code crisp; a box too small for one
     * pixel per module (plus the quiet zone) gets no code rather than a
     * blurred one no phone reads. */
    int side = op->w < op->h ? op->w : op->h;
    int modules = qr->width + 2 * RENDER_QR_QUIET_MODULES;
    int m = side / modules;
    bool ok = true;
    if (m >= 1) {
        SDL_Rect box = {op->x + (op->w - side) / 2, op->y + (op->h - side) / 2, side, side};
        ok = render_fill(r, &box, 0xFFFFFF, err) && render_color(r, 0x000000, err);
        int ox = op->x + (op->w - qr->width * m) / 2;
        int oy = op->y + (op->h - qr->width * m) / 2;
        SDL_Rect row[177]; /* widest QR code, version 40 */
        for (int y = 0; ok && y < qr->width; y++) {
            int n = 0;
            for (int x = 0; x < qr->width;) {
                if (!(qr->data[y * qr->width + x] & 1)) {
                    x++;
                    continue;
                }
                int x0 = x;
                while (x < qr->width && (qr->data[y * qr->width + x] & 1))
                    x++;
                row[n++] = (SDL_Rect){ox + x0 * m, oy + y * m, (x - x0) * m, m};
            }
            if (n && SDL_RenderFillRects(r->renderer, row, n) != 0) {
                sg_err_set(err, "render: QR modules: %s", SDL_GetError());
                ok = false;
            }
        }
    }
    QRcode_free(qr);
    return ok;
}

static bool render_ops(struct render *r, const struct layout_list *list, SDL_Surface *const *media,
                       size_t nmedia, const char *link, struct sg_err *err)
{
    if (SDL_SetRenderDrawBlendMode(r->renderer, SDL_BLENDMODE_NONE) != 0 ||
        !render_color(r, 0x000000, err) || SDL_RenderClear(r->renderer) != 0) {
        sg_err_set(err, "render: clear: %s", SDL_GetError());
        return false;
    }
    for (size_t i = 0; i < list->nops; i++) {
        const struct layout_op *op = &list->ops[i];
        bool ok = true;
        switch (op->kind) {
        case LAYOUT_OP_RECT: {
            SDL_Rect rect = {op->x, op->y, op->w, op->h};
            ok = render_fill(r, &rect, op->color, err);
            break;
        }
        case LAYOUT_OP_TEXT:
            ok = render_text(r, list, op, err);
            break;
        case LAYOUT_OP_IMAGE:
            ok = render_image(
                r, op, op->media >= 0 && (size_t)op->media < nmedia ? media[op->media] : NULL, err);
            break;
        case LAYOUT_OP_QR:
            ok = render_qr(r, op, link, err);
            break;
        }
        if (!ok)
            return false;
    }
    return true;
}

struct render_card *render_card_new(struct render *r, const struct layout_list *list,
                                    SDL_Surface *const *media, size_t nmedia, const char *link,
                                    struct sg_err *err)
{
    struct render_card *card = calloc(1, sizeof *card);
    if (!card) {
        sg_err_set(err, "render: out of memory");
        return NULL;
    }
    card->r = r;
    r->ncards++;
    card->tex = SDL_CreateTexture(r->renderer, SDL_PIXELFORMAT_RGB888, SDL_TEXTUREACCESS_TARGET,
                                  r->log_w, r->log_h);
    if (!card->tex) {
        sg_err_set(err, "render: card texture %d x %d: %s", r->log_w, r->log_h, SDL_GetError());
        goto fail;
    }
    if (SDL_SetRenderTarget(r->renderer, card->tex) != 0) {
        sg_err_set(err, "render: card target: %s", SDL_GetError());
        goto fail;
    }
    bool ok = render_ops(r, list, media, nmedia, link, err);
    if (SDL_SetRenderTarget(r->renderer, NULL) != 0 && ok) {
        sg_err_set(err, "render: output target: %s", SDL_GetError());
        ok = false;
    }
    if (!ok)
        goto fail;
    return card;
fail:
    render_card_free(card);
    return NULL;
}

void render_card_free(struct render_card *card)
{
    if (!card)
        return;
    struct render *r = card->r;
    if (r->shown_from == card || r->shown_to == card) {
        /* What is on screen can no longer be redrawn: the next present draws. */
        r->shown_from = r->shown_to = NULL;
        r->shown_valid = false;
    }
    if (card->tex)
        SDL_DestroyTexture(card->tex);
    r->ncards--;
    free(card);
}

/* --- presenting --------------------------------------------------------- */

static bool render_copy_card(struct render *r, const struct render_card *card, int alpha,
                             struct sg_err *err)
{
    SDL_BlendMode mode = alpha == 255 ? SDL_BLENDMODE_NONE : SDL_BLENDMODE_BLEND;
    if (SDL_SetTextureBlendMode(card->tex, mode) != 0 ||
        SDL_SetTextureAlphaMod(card->tex, (Uint8)alpha) != 0) {
        sg_err_set(err, "render: card blend: %s", SDL_GetError());
        return false;
    }
    /* The card, centred on the output and turned about its centre: for 90
     * and 270 its width lies along the output's height. */
    SDL_Rect dst = {(r->out_w - r->log_w) / 2, (r->out_h - r->log_h) / 2, r->log_w, r->log_h};
    int rc = r->rotate == 0 ? SDL_RenderCopy(r->renderer, card->tex, NULL, &dst)
                            : SDL_RenderCopyEx(r->renderer, card->tex, NULL, &dst, r->rotate, NULL,
                                               SDL_FLIP_NONE);
    if (rc != 0) {
        sg_err_set(err, "render: card copy: %s", SDL_GetError());
        return false;
    }
    return true;
}

/* Draws a frame into the output's back buffer, without showing it. */
static bool render_compose(struct render *r, const struct render_card *from,
                           const struct render_card *to, int alpha, struct sg_err *err)
{
    if (SDL_SetRenderTarget(r->renderer, NULL) != 0 ||
        SDL_SetRenderDrawBlendMode(r->renderer, SDL_BLENDMODE_NONE) != 0 ||
        !render_color(r, 0x000000, err) || SDL_RenderClear(r->renderer) != 0) {
        sg_err_set(err, "render: clear output: %s", SDL_GetError());
        return false;
    }
    /* from opaque, then to over it at alpha: out = to * a + from * (1 - a). */
    if (from && !render_copy_card(r, from, 255, err))
        return false;
    if (to && alpha > 0 && !render_copy_card(r, to, alpha, err))
        return false;
    return true;
}

bool render_present(struct render *r, const struct render_card *from_card,
                    const struct render_card *to_card, int alpha, bool *drew, struct sg_err *err)
{
    if (drew)
        *drew = false;
    if ((from_card && from_card->r != r) || (to_card && to_card->r != r)) {
        sg_err_set(err, "render: card belongs to another renderer");
        return false;
    }
    alpha = alpha < 0 ? 0 : alpha > 255 ? 255 : alpha;
    /* Only what can be seen matters: a finished fade is just to_card. */
    if (alpha == 255 && to_card)
        from_card = NULL;
    if (alpha == 0)
        to_card = NULL;
    if (r->shown_valid && r->shown_from == from_card && r->shown_to == to_card &&
        r->shown_alpha == alpha)
        return true;
    r->shown_valid = false;
    if (!render_compose(r, from_card, to_card, alpha, err))
        return false;
    SDL_RenderPresent(r->renderer);
    r->shown_from = from_card;
    r->shown_to = to_card;
    r->shown_alpha = alpha;
    r->shown_valid = true;
    if (drew)
        *drew = true;
    return true;
}

void render_invalidate(struct render *r)
{
    r->shown_valid = false;
}

/* --- screenshots -------------------------------------------------------- */

/* Encodes s as PNG into a malloc'd buffer of exactly *len bytes. The
 * working buffer's bound is the raw size plus the PNG and zlib overhead of
 * stored (incompressible) data. */
static bool render_encode_png(SDL_Surface *s, unsigned char **png, size_t *len, struct sg_err *err)
{
    size_t raw = (size_t)s->h * ((size_t)s->w * 3 + 1);
    size_t cap = raw + raw / 16000 * 5 + 4096;
    unsigned char *buf = malloc(cap);
    SDL_RWops *rw = buf ? SDL_RWFromMem(buf, (int)cap) : NULL;
    if (!rw) {
        sg_err_set(err, "render: PNG buffer: out of memory");
        free(buf);
        return false;
    }
    bool ok = IMG_SavePNG_RW(s, rw, 0) == 0;
    Sint64 n = SDL_RWtell(rw);
    SDL_RWclose(rw);
    if (!ok || n <= 0) {
        sg_err_set(err, "render: encode PNG: %s", IMG_GetError());
        free(buf);
        return false;
    }
    /* Give back the slack: previews keep their PNGs in a cache. */
    unsigned char *fit = realloc(buf, (size_t)n);
    if (fit)
        buf = fit;
    *png = buf;
    *len = (size_t)n;
    return true;
}

/* Draws the shown frame again and reads it into a new RGB24 surface. Drawn
 * rather than read from the back buffer: after SDL_RenderPresent its
 * contents are undefined on GL and GLES. */
static SDL_Surface *render_read_frame(struct render *r, struct sg_err *err)
{
    if (!render_compose(r, r->shown_valid ? r->shown_from : NULL,
                        r->shown_valid ? r->shown_to : NULL, r->shown_valid ? r->shown_alpha : 0,
                        err))
        return NULL;
    SDL_Surface *s =
        SDL_CreateRGBSurfaceWithFormat(0, r->out_w, r->out_h, 24, SDL_PIXELFORMAT_RGB24);
    if (!s) {
        sg_err_set(err, "render: screenshot surface: %s", SDL_GetError());
        return NULL;
    }
    if (SDL_RenderReadPixels(r->renderer, NULL, SDL_PIXELFORMAT_RGB24, s->pixels, s->pitch) != 0) {
        sg_err_set(err, "render: read pixels: %s", SDL_GetError());
        SDL_FreeSurface(s);
        return NULL;
    }
    return s;
}

bool render_screenshot_png(struct render *r, const char *path, struct sg_err *err)
{
    SDL_Surface *s = render_read_frame(r, err);
    if (!s)
        return false;
    unsigned char *png = NULL;
    size_t len = 0;
    bool ok = render_encode_png(s, &png, &len, err) &&
              fileio_write_atomic(path, png, len, 0644, false, NULL, err);
    free(png);
    SDL_FreeSurface(s);
    return ok;
}

bool render_png_encode(struct render *r, unsigned char **png, size_t *len, struct sg_err *err)
{
    *png = NULL;
    *len = 0;
    SDL_Surface *s = render_read_frame(r, err);
    if (!s)
        return false;
    bool ok = render_encode_png(s, png, len, err);
    SDL_FreeSurface(s);
    return ok;
}
