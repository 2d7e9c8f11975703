/* Signet staff page: the moderation queue from a phone.
 *
 * Contract: server/API.md, nothing else. Data comes in through fetch() as JSON
 * and reaches the DOM only through createElement, textContent and element
 * properties; no string is ever parsed as HTML. The server's CSP forbids
 * inline scripts and styles, so this file and app.css are the whole page.
 * Every user-visible string is in STRINGS (German first, English second). */
'use strict';

(() => {
    const STRINGS = {
        de: {
            'skip': 'Zum Inhalt springen',
            'lang.switch': 'English',
            'lang.switch.label': 'Switch to English',
            'nav.label': 'Hauptnavigation',
            'nav.queue': 'Warteschlange',
            'nav.onscreen': 'Auf Sendung',
            'nav.compose': 'Neu',
            'nav.audit': 'Protokoll',
            'nav.users': 'Benutzer',
            'nav.settings': 'Einstellungen',
            'nav.account': 'Konto',
            'nav.logout': 'Abmelden',
            'loading': 'Lädt …',
            'refresh': 'Aktualisieren',
            'cancel': 'Abbrechen',
            'close': 'Schließen',
            'save': 'Speichern',
            'dismiss': 'Meldung schließen',
            'optional': '(optional)',
            'yes': 'Ja',
            'no': 'Nein',

            'login.title': 'Anmelden',
            'login.name': 'Benutzername',
            'login.password': 'Passwort',
            'login.submit': 'Anmelden',
            'login.failed': 'Name oder Passwort ist falsch.',
            'login.expired': 'Ihre Sitzung ist abgelaufen. Bitte melden Sie sich erneut an.',
            'logout.done': 'Sie sind abgemeldet.',

            'err.network': 'Keine Verbindung zum Server.',
            'err.bad-request': 'Ungültige Eingabe',
            'err.login-required': 'Bitte anmelden',
            'err.login-failed': 'Anmeldung fehlgeschlagen',
            'err.csrf': 'Sicherheitsprüfung fehlgeschlagen – bitte die Seite neu laden',
            'err.forbidden': 'Keine Berechtigung',
            'err.not-found': 'Nicht gefunden',
            'err.method-not-allowed': 'Aktion nicht erlaubt',
            'err.conflict': 'Im aktuellen Zustand nicht möglich',
            'err.too-large': 'Zu groß',
            'err.unsupported-media-type': 'Dateiformat nicht unterstützt',
            'err.throttled': 'Zu viele Versuche',
            'err.busy': 'Server ausgelastet',
            'err.internal': 'Serverfehler',
            'err.other': 'Fehler',
            'err.retry': 'Bitte in {s} s erneut versuchen.',

            'kind.post': 'Beitrag',
            'kind.tip': 'Gesundheitstipp',
            'kind.notice': 'Hinweis',
            'state.pending': 'Wartet auf Freigabe',
            'state.approved': 'Freigegeben',
            'state.rejected': 'Abgelehnt',
            'state.revoked': 'Zurückgezogen',
            'state.expired': 'Abgelaufen',
            'state.superseded': 'Ersetzt',
            'state.all': 'Alle',

            'queue.title': 'Warteschlange',
            'queue.filter': 'Anzeigen',
            'queue.empty': 'Nichts wartet auf Freigabe.',
            'queue.empty.other': 'Keine Einträge in diesem Zustand.',
            'card.preview.alt': 'Vorschau auf dem Bildschirm: {title}',
            'card.preview.broken': 'Vorschau nicht verfügbar',
            'card.rev': 'Revision {rev}',
            'card.by': 'Von {author}',
            'card.source': 'Quelle: {source}',
            'card.created': 'Erstellt von {who}, {at}',
            'card.decided': '{state} von {who}, {at}',
            'card.until': 'Freigegeben bis {at}',
            'card.reason': 'Begründung: {reason}',
            'card.targets': 'Bildschirme: {targets}',
            'card.shown': 'Auf den Bildschirmen läuft noch Revision {rev}.',
            'card.foureyes': 'Vier-Augen-Prinzip: Eine andere Person muss freigeben.',
            'warn.cut': 'Text passt nicht – er wird abgeschnitten',
            'warn.small': 'Text nur in kleinster Schrift',

            'approve': 'Freigeben',
            'approve.label': 'Freigeben: {title}',
            'approve.title': 'Freigeben',
            'approve.until': 'Freigegeben bis',
            'approve.until.hint': 'Leer lassen für {n} Tage.',
            'approve.confirm': 'Jetzt freigeben',
            'approve.done': 'Freigegeben: {title}',
            'reject': 'Ablehnen',
            'reject.label': 'Ablehnen: {title}',
            'reject.title': 'Ablehnen',
            'reject.reason': 'Begründung',
            'reject.reason.missing': 'Bitte eine Begründung angeben.',
            'reject.confirm': 'Ablehnen',
            'reject.done': 'Abgelehnt: {title}',
            'edit': 'Bearbeiten',
            'edit.label': 'Bearbeiten: {title}',
            'revoke': 'Zurückziehen',
            'revoke.label': 'Von allen Bildschirmen zurückziehen: {title}',
            'revoke.reason': 'Grund',
            'revoke.confirm': 'Wirklich zurückziehen',
            'revoke.hint': 'Verschwindet sofort von allen Bildschirmen.',
            'revoke.done': 'Zurückgezogen: {title}',

            'targets.legend': 'Bildschirme',
            'targets.all': 'Alle Bildschirme',
            'targets.group': 'Gruppe {group}',
            'targets.none': 'Bitte mindestens einen Bildschirm wählen.',

            'onscreen.title': 'Auf Sendung',
            'onscreen.empty': 'Noch kein Bildschirm eingerichtet.',
            'onscreen.online': 'Online',
            'onscreen.offline': 'Offline',
            'onscreen.lastseen': 'Zuletzt gemeldet: {at}',
            'onscreen.never': 'Hat sich noch nie gemeldet',
            'onscreen.showing': 'Zeigt gerade: {what}',
            'onscreen.idle': 'Ruhebild (Uhr und Praxisname)',
            'onscreen.unknown': 'unbekannt',
            'onscreen.version': 'Feed-Version {v}',
            'onscreen.lasterror': 'Letzter Fehler: {error}',
            'onscreen.feed': 'Im Feed dieses Bildschirms',
            'onscreen.feed.empty': 'Keine freigegebenen Inhalte – der Bildschirm zeigt das Ruhebild.',
            'onscreen.screenshot.alt': 'Letzter Screenshot von {name}',
            'onscreen.screenshot.none': 'Noch kein Screenshot.',
            'onscreen.screenshot.request': 'Screenshot anfordern',
            'onscreen.screenshot.requested': 'Angefordert – kommt mit der nächsten Meldung des Bildschirms.',
            'onscreen.screenshot.done': 'Screenshot angefordert: {name}',
            'onscreen.token.new': 'Neues Zugangstoken',
            'onscreen.token.confirm': 'Neues Token für {name} erzeugen? Das alte funktioniert dann nicht mehr, bis es auf dem Gerät ersetzt ist.',
            'onscreen.token.shown': 'Zugangstoken für {name} (wird nur jetzt angezeigt):',
            'onscreen.add': 'Bildschirm hinzufügen',
            'onscreen.add.id': 'Kennung (Buchstaben, Ziffern, . _ -)',
            'onscreen.add.name': 'Name',
            'onscreen.add.group': 'Gruppe',
            'onscreen.add.location': 'Standort',
            'onscreen.add.timezone': 'Zeitzone',
            'onscreen.add.submit': 'Hinzufügen',

            'emergency.stop': 'NOT-AUS: Alles von allen Bildschirmen nehmen',
            'emergency.stop.confirm': 'Wirklich alle Inhalte sofort von allen Bildschirmen nehmen? Die Bildschirme zeigen dann nur noch das Ruhebild.',
            'emergency.stop.go': 'Not-Aus auslösen',
            'emergency.active': 'Not-Aus ist aktiv.',
            'emergency.active.detail': 'Alle Bildschirme zeigen nur das Ruhebild.',
            'emergency.undo': 'Not-Aus aufheben',
            'emergency.undo.confirm': 'Not-Aus aufheben? Freigegebene Inhalte erscheinen dann wieder auf den Bildschirmen.',
            'emergency.done.on': 'Not-Aus ausgelöst.',
            'emergency.done.off': 'Not-Aus aufgehoben.',

            'compose.title.new': 'Neuer Inhalt',
            'compose.title.edit': 'Bearbeiten',
            'compose.edit.hint': 'Speichern erzeugt eine neue Revision, die wieder freigegeben werden muss. Bis dahin bleibt die freigegebene Fassung auf den Bildschirmen.',
            'compose.kind': 'Art',
            'compose.field.title': 'Überschrift',
            'compose.field.body': 'Text',
            'compose.field.author': 'Autor/in',
            'compose.field.source': 'Quelle',
            'compose.field.link': 'Link (als QR-Code)',
            'compose.field.lang': 'Sprache des Inhalts',
            'compose.lang.de': 'Deutsch',
            'compose.lang.en': 'Englisch',
            'compose.field.priority': 'Priorität (0–100)',
            'compose.chars': '{n} / {max} Zeichen',
            'compose.media': 'Bilder',
            'compose.media.add': 'Bild hinzufügen (PNG, JPEG, WebP)',
            'compose.media.alt': 'Bildbeschreibung (für alle, die das Bild nicht sehen)',
            'compose.media.alt.missing': 'Bitte jedes Bild beschreiben.',
            'compose.media.remove': 'Bild entfernen',
            'compose.media.uploading': 'Lädt hoch …',
            'compose.media.toobig': 'Das Bild ist größer als 8 MB.',
            'compose.media.type': 'Nur PNG, JPEG oder WebP.',
            'compose.media.max': 'Höchstens {n} Bilder.',
            'compose.media.size': '{w} × {h} Pixel',
            'compose.schedule': 'Zeitplan (optional)',
            'compose.schedule.from': 'Von (Datum)',
            'compose.schedule.until': 'Bis (Datum)',
            'compose.schedule.weekdays': 'Wochentage (keine Auswahl: jeden Tag)',
            'compose.schedule.hoursfrom': 'Ab Uhrzeit',
            'compose.schedule.hoursuntil': 'Bis Uhrzeit',
            'compose.schedule.dates.both': 'Bitte beide Daten angeben oder beide leer lassen.',
            'compose.schedule.dates.order': 'Das Enddatum liegt vor dem Anfangsdatum.',
            'compose.schedule.hours.both': 'Bitte beide Uhrzeiten angeben oder beide leer lassen.',
            'compose.submit.new': 'Zur Freigabe einreichen',
            'compose.submit.edit': 'Neue Revision speichern',
            'compose.done': 'Gespeichert – wartet auf Freigabe.',
            'weekday.1': 'Mo', 'weekday.2': 'Di', 'weekday.3': 'Mi', 'weekday.4': 'Do',
            'weekday.5': 'Fr', 'weekday.6': 'Sa', 'weekday.7': 'So',

            'audit.title': 'Protokoll',
            'audit.chain.ok': 'Prüfkette intakt',
            'audit.chain.bad': 'Prüfkette beschädigt – Einträge wurden verändert!',
            'audit.csv': 'Als CSV herunterladen',
            'audit.more': 'Ältere Einträge laden',
            'audit.empty': 'Noch keine Einträge.',
            'audit.col.at': 'Zeit',
            'audit.col.actor': 'Wer',
            'audit.col.action': 'Aktion',
            'audit.col.object': 'Objekt',
            'audit.col.change': 'Änderung',
            'audit.col.ip': 'IP',

            'users.title': 'Benutzer',
            'users.col.name': 'Name',
            'users.col.role': 'Rolle',
            'users.col.status': 'Status',
            'users.col.actions': 'Aktionen',
            'users.active': 'Aktiv',
            'users.disabled': 'Gesperrt',
            'users.disable': 'Sperren',
            'users.enable': 'Entsperren',
            'users.resetpw': 'Neues Passwort',
            'users.resetpw.confirm': 'Neues Passwort für {name} erzeugen? Alle Sitzungen von {name} enden.',
            'users.add': 'Benutzer hinzufügen',
            'users.add.password': 'Passwort (leer lassen: wird erzeugt)',
            'users.add.submit': 'Hinzufügen',
            'users.password.shown': 'Passwort für {name} (wird nur jetzt angezeigt):',
            'users.role.changed': 'Rolle von {name} geändert.',
            'users.you': '(Sie)',
            'role.editor': 'Redaktion',
            'role.approver': 'Freigabe',
            'role.admin': 'Verwaltung',
            'copy': 'Kopieren',
            'copied': 'Kopiert.',

            'settings.title': 'Einstellungen',
            'settings.foureyes': 'Vier-Augen-Prinzip (niemand gibt eigene Inhalte frei)',
            'settings.days': 'Standard-Freigabedauer (Tage)',
            'settings.clinic': 'Name der Praxis/Klinik (auf dem Ruhebild)',
            'settings.lifetime': 'Gültigkeit eines Feeds: {h} Stunden',
            'settings.done': 'Einstellungen gespeichert.',

            'account.title': 'Konto',
            'account.who': 'Angemeldet als {name} ({role})',
            'account.password': 'Passwort ändern',
            'account.old': 'Aktuelles Passwort',
            'account.new': 'Neues Passwort (mindestens 12 Zeichen)',
            'account.repeat': 'Neues Passwort wiederholen',
            'account.short': 'Das neue Passwort braucht mindestens 12 Zeichen.',
            'account.mismatch': 'Die beiden neuen Passwörter stimmen nicht überein.',
            'account.done': 'Passwort geändert. Bitte melden Sie sich mit dem neuen Passwort an.',

            'nav.sources': 'Quellen',

            'who.source': 'Quelle „{name}“',
            'who.rule': 'Regel der Quelle „{name}“',
            'card.origin': 'Übernommen aus der Quelle „{name}“',
            'card.link': 'Original ansehen',
            'card.link.label': 'Original ansehen (öffnet ein neues Fenster): {title}',
            'card.notes': 'Hinweis der Quelle',
            'note.cw': 'Inhaltswarnung: {text}',
            'note.sensitive': 'Als sensibel markiert',
            'note.visibility': 'Nicht öffentlich: {text}',
            'note.labels': 'Labels: {text}',
            'card.held.word': 'Zurückgehalten: gesperrtes Wort „{word}“',
            'card.held.other': 'Zurückgehalten: {reason}',
            'card.held.hint': 'Erscheint erst nach einer ausdrücklichen Freigabe.',
            'approve.anyway': 'Trotzdem freigeben…',
            'approve.anyway.label': 'Trotzdem freigeben: {title}',
            'approve.anyway.title': 'Trotzdem freigeben',
            'approve.anyway.ack': 'Ich habe den Grund gelesen',
            'approve.anyway.ack.missing': 'Bitte bestätigen Sie, dass Sie den Grund gelesen haben.',
            'approve.anyway.hint': 'Die Freigabe trotz Sperrwort wird gesondert protokolliert.',
            'approve.anyway.confirm': 'Trotzdem freigeben',

            'batch.start': 'Mehrere freigeben',
            'batch.stop': 'Auswahl beenden',
            'batch.select': 'Auswählen',
            'batch.tips': 'Alle Tipps auswählen',
            'batch.all': 'Alle auswählen',
            'batch.none': 'Auswahl leeren',
            'batch.count': '{n} ausgewählt',
            'batch.approve': '{n} freigeben',
            'batch.hint': 'Zurückgehaltene und eigene Einträge (Vier-Augen-Prinzip) lassen sich nur einzeln freigeben.',
            'batch.title': 'Mehrere freigeben',
            'batch.confirm.text': '{n} Einträge freigeben? Jeder erscheint auf den Bildschirmen, die er angibt.',
            'batch.confirm': 'Jetzt {n} freigeben',
            'batch.progress': 'Gibt frei … {done} von {n}',
            'batch.done': '{n} freigegeben',
            'batch.failed': '{n} nicht freigegeben:',

            'sources.title': 'Quellen',
            'sources.empty': 'Noch keine Quelle eingerichtet.',
            'sources.kind.rss': 'RSS/Atom-Feed',
            'sources.kind.mastodon': 'Mastodon',
            'sources.kind.bluesky': 'Bluesky',
            'sources.kind.webhook': 'Webhook',
            'sources.enabled': 'Aktiv',
            'sources.disabled': 'Pausiert',
            'sources.where.rss': 'Feed: {url}',
            'sources.where.mastodon': '{account} auf {url}',
            'sources.where.bluesky': '{account} (über {url})',
            'sources.where.webhook': 'Empfängt Beiträge über POST /api/ingest',
            'sources.every': 'Abruf alle {n} Minuten',
            'sources.lang': 'Sprache: {lang}',
            'sources.rule.auto.on': 'Automatisch freigeben: ja',
            'sources.rule.auto.off': 'Automatisch freigeben: nein',
            'sources.rule.block.on': 'Sperrliste: an',
            'sources.rule.block.off': 'Sperrliste: aus',
            'sources.rule.cap': 'Höchstens {n} Beiträge pro Tag',
            'sources.rule.nocap': 'Kein Tageslimit',
            'sources.lastpoll': 'Zuletzt abgerufen: {at}',
            'sources.lastpoll.never': 'Noch nie abgerufen',
            'sources.lastok': 'Zuletzt erfolgreich: {at}',
            'sources.lasterror': 'Letzter Fehler: {error}',
            'sources.posts24h': '{n} neue Beiträge in 24 Stunden',
            'sources.posts24h.cap': '{n} von höchstens {cap} neuen Beiträgen in 24 Stunden',
            'sources.token.set': 'Token vergeben',
            'sources.token.none': 'Noch kein Token',
            'sources.poll': 'Jetzt abrufen',
            'sources.poll.label': 'Jetzt abrufen: {name}',
            'sources.poll.done': 'Abruf gestartet: {name}',
            'sources.edit.label': 'Quelle bearbeiten: {name}',
            'sources.edit.title': 'Quelle bearbeiten',
            'sources.edit.done': 'Gespeichert: {name}',
            'sources.enable': 'Aktivieren',
            'sources.disable': 'Pausieren',
            'sources.enable.done': 'Aktiviert: {name}',
            'sources.disable.done': 'Pausiert: {name}',
            'sources.token.new': 'Neuer Token',
            'sources.token.confirm': 'Neuen Token für {name} erzeugen? Der alte funktioniert dann sofort nicht mehr.',
            'sources.token.shown': 'Token für {name} (wird nur jetzt angezeigt):',
            'sources.howto': 'So schickt ein anderes System Beiträge: POST an diese Adresse, mit dem Token im Kopf „Authorization“.',
            'sources.howto.after': 'Die Beiträge erscheinen nach wenigen Sekunden in der Warteschlange und warten dort auf Freigabe.',
            'sources.add': 'Quelle hinzufügen',
            'sources.add.submit': 'Hinzufügen',
            'sources.add.done': 'Quelle hinzugefügt: {name}',
            'sources.field.kind': 'Art der Quelle',
            'sources.field.name': 'Name (steht als Quelle auf den Karten)',
            'sources.field.feed': 'Adresse des Feeds',
            'sources.field.instance': 'Mastodon-Server',
            'sources.field.account': 'Konto',
            'sources.field.account.hint': 'Zum Beispiel @praxis@social.example',
            'sources.field.handle': 'Bluesky-Handle',
            'sources.field.handle.hint': 'Zum Beispiel praxis.bsky.social (oder eine DID)',
            'sources.field.appview': 'AppView-Adresse',
            'sources.advanced': 'Erweitert',
            'sources.field.webhook.hint': 'Nach dem Hinzufügen erscheint einmal ein Token. Damit schickt ein anderes System (z. B. das Redaktionssystem der Website) Beiträge.',
            'sources.field.poll': 'Abrufen alle … Minuten',
            'sources.field.lang': 'Sprache der Beiträge',
            'sources.lang.auto': 'Wie im Beitrag angegeben',
            'sources.field.enabled': 'Aktiv (neue Beiträge übernehmen)',
            'sources.field.rules': 'Regeln',
            'sources.field.auto': 'Automatisch freigeben',
            'sources.field.auto.hint': 'Nur für eigene Konten der Praxis; nie bei Inhaltswarnungen, sensiblen Inhalten, Labels oder gesperrten Wörtern.',
            'sources.field.block': 'Sperrliste anwenden',
            'sources.field.block.hint': 'Beiträge mit einem gesperrten Wort bleiben zurückgehalten, bis jemand sie ausdrücklich freigibt.',
            'sources.field.cap': 'Tageslimit (0 = unbegrenzt)',
            'sources.field.cap.hint': 'Höchstens so viele neue Beiträge in 24 Stunden übernehmen.',
        },
        en: {
            'skip': 'Skip to content',
            'lang.switch': 'Deutsch',
            'lang.switch.label': 'Auf Deutsch umschalten',
            'nav.label': 'Main navigation',
            'nav.queue': 'Queue',
            'nav.onscreen': 'On screen now',
            'nav.compose': 'New',
            'nav.audit': 'Audit log',
            'nav.users': 'Users',
            'nav.settings': 'Settings',
            'nav.account': 'Account',
            'nav.logout': 'Log out',
            'loading': 'Loading …',
            'refresh': 'Refresh',
            'cancel': 'Cancel',
            'close': 'Close',
            'save': 'Save',
            'dismiss': 'Dismiss message',
            'optional': '(optional)',
            'yes': 'Yes',
            'no': 'No',

            'login.title': 'Log in',
            'login.name': 'User name',
            'login.password': 'Password',
            'login.submit': 'Log in',
            'login.failed': 'Wrong name or password.',
            'login.expired': 'Your session has expired. Please log in again.',
            'logout.done': 'You are logged out.',

            'err.network': 'Cannot reach the server.',
            'err.bad-request': 'Invalid input',
            'err.login-required': 'Please log in',
            'err.login-failed': 'Login failed',
            'err.csrf': 'Security check failed – please reload the page',
            'err.forbidden': 'Not allowed',
            'err.not-found': 'Not found',
            'err.method-not-allowed': 'Action not allowed',
            'err.conflict': 'Not possible in the current state',
            'err.too-large': 'Too large',
            'err.unsupported-media-type': 'File type not supported',
            'err.throttled': 'Too many attempts',
            'err.busy': 'Server busy',
            'err.internal': 'Server error',
            'err.other': 'Error',
            'err.retry': 'Please try again in {s} s.',

            'kind.post': 'Post',
            'kind.tip': 'Health tip',
            'kind.notice': 'Notice',
            'state.pending': 'Awaiting approval',
            'state.approved': 'Approved',
            'state.rejected': 'Rejected',
            'state.revoked': 'Revoked',
            'state.expired': 'Expired',
            'state.superseded': 'Superseded',
            'state.all': 'All',

            'queue.title': 'Queue',
            'queue.filter': 'Show',
            'queue.empty': 'Nothing is waiting for approval.',
            'queue.empty.other': 'No items in this state.',
            'card.preview.alt': 'Preview on screen: {title}',
            'card.preview.broken': 'Preview not available',
            'card.rev': 'Revision {rev}',
            'card.by': 'By {author}',
            'card.source': 'Source: {source}',
            'card.created': 'Created by {who}, {at}',
            'card.decided': '{state} by {who}, {at}',
            'card.until': 'Approved until {at}',
            'card.reason': 'Reason: {reason}',
            'card.targets': 'Screens: {targets}',
            'card.shown': 'Revision {rev} is still on the screens.',
            'card.foureyes': 'Four-eyes rule: someone else must approve.',
            'warn.cut': 'Text does not fit – it will be cut',
            'warn.small': 'Text only fits at the smallest size',

            'approve': 'Approve',
            'approve.label': 'Approve: {title}',
            'approve.title': 'Approve',
            'approve.until': 'Approved until',
            'approve.until.hint': 'Leave empty for {n} days.',
            'approve.confirm': 'Approve now',
            'approve.done': 'Approved: {title}',
            'reject': 'Reject',
            'reject.label': 'Reject: {title}',
            'reject.title': 'Reject',
            'reject.reason': 'Reason',
            'reject.reason.missing': 'Please give a reason.',
            'reject.confirm': 'Reject',
            'reject.done': 'Rejected: {title}',
            'edit': 'Edit',
            'edit.label': 'Edit: {title}',
            'revoke': 'Revoke',
            'revoke.label': 'Take off every screen: {title}',
            'revoke.reason': 'Reason',
            'revoke.confirm': 'Really revoke',
            'revoke.hint': 'Leaves every screen at once.',
            'revoke.done': 'Revoked: {title}',

            'targets.legend': 'Screens',
            'targets.all': 'All screens',
            'targets.group': 'Group {group}',
            'targets.none': 'Please choose at least one screen.',

            'onscreen.title': 'On screen now',
            'onscreen.empty': 'No screen set up yet.',
            'onscreen.online': 'Online',
            'onscreen.offline': 'Offline',
            'onscreen.lastseen': 'Last report: {at}',
            'onscreen.never': 'Has never reported',
            'onscreen.showing': 'Showing: {what}',
            'onscreen.idle': 'Idle card (clock and clinic name)',
            'onscreen.unknown': 'unknown',
            'onscreen.version': 'Feed version {v}',
            'onscreen.lasterror': 'Last error: {error}',
            'onscreen.feed': 'In this screen\u2019s feed',
            'onscreen.feed.empty': 'Nothing approved – the screen shows the idle card.',
            'onscreen.screenshot.alt': 'Last screenshot of {name}',
            'onscreen.screenshot.none': 'No screenshot yet.',
            'onscreen.screenshot.request': 'Request screenshot',
            'onscreen.screenshot.requested': 'Requested – it comes with the screen\u2019s next report.',
            'onscreen.screenshot.done': 'Screenshot requested: {name}',
            'onscreen.token.new': 'New access token',
            'onscreen.token.confirm': 'Make a new token for {name}? The old one stops working until it is replaced on the device.',
            'onscreen.token.shown': 'Access token for {name} (shown only now):',
            'onscreen.add': 'Add screen',
            'onscreen.add.id': 'Id (letters, digits, . _ -)',
            'onscreen.add.name': 'Name',
            'onscreen.add.group': 'Group',
            'onscreen.add.location': 'Location',
            'onscreen.add.timezone': 'Time zone',
            'onscreen.add.submit': 'Add',

            'emergency.stop': 'EMERGENCY STOP: take everything off every screen',
            'emergency.stop.confirm': 'Really take all content off every screen at once? The screens will show only the idle card.',
            'emergency.stop.go': 'Stop everything',
            'emergency.active': 'Emergency stop is active.',
            'emergency.active.detail': 'Every screen shows only the idle card.',
            'emergency.undo': 'Lift emergency stop',
            'emergency.undo.confirm': 'Lift the emergency stop? Approved content comes back on the screens.',
            'emergency.done.on': 'Emergency stop is on.',
            'emergency.done.off': 'Emergency stop lifted.',

            'compose.title.new': 'New item',
            'compose.title.edit': 'Edit',
            'compose.edit.hint': 'Saving makes a new revision that needs approval again. Until then the approved version stays on the screens.',
            'compose.kind': 'Kind',
            'compose.field.title': 'Title',
            'compose.field.body': 'Text',
            'compose.field.author': 'Author',
            'compose.field.source': 'Source',
            'compose.field.link': 'Link (shown as a QR code)',
            'compose.field.lang': 'Language of the content',
            'compose.lang.de': 'German',
            'compose.lang.en': 'English',
            'compose.field.priority': 'Priority (0–100)',
            'compose.chars': '{n} / {max} characters',
            'compose.media': 'Images',
            'compose.media.add': 'Add image (PNG, JPEG, WebP)',
            'compose.media.alt': 'Image description (for those who cannot see it)',
            'compose.media.alt.missing': 'Please describe every image.',
            'compose.media.remove': 'Remove image',
            'compose.media.uploading': 'Uploading …',
            'compose.media.toobig': 'The image is larger than 8 MB.',
            'compose.media.type': 'Only PNG, JPEG or WebP.',
            'compose.media.max': 'At most {n} images.',
            'compose.media.size': '{w} × {h} pixels',
            'compose.schedule': 'Schedule (optional)',
            'compose.schedule.from': 'From (date)',
            'compose.schedule.until': 'Until (date)',
            'compose.schedule.weekdays': 'Weekdays (none chosen: every day)',
            'compose.schedule.hoursfrom': 'From time',
            'compose.schedule.hoursuntil': 'Until time',
            'compose.schedule.dates.both': 'Please give both dates or neither.',
            'compose.schedule.dates.order': 'The end date is before the start date.',
            'compose.schedule.hours.both': 'Please give both times or neither.',
            'compose.submit.new': 'Submit for approval',
            'compose.submit.edit': 'Save new revision',
            'compose.done': 'Saved – waiting for approval.',
            'weekday.1': 'Mon', 'weekday.2': 'Tue', 'weekday.3': 'Wed', 'weekday.4': 'Thu',
            'weekday.5': 'Fri', 'weekday.6': 'Sat', 'weekday.7': 'Sun',

            'audit.title': 'Audit log',
            'audit.chain.ok': 'Hash chain intact',
            'audit.chain.bad': 'Hash chain broken – rows were altered!',
            'audit.csv': 'Download CSV',
            'audit.more': 'Load older rows',
            'audit.empty': 'No rows yet.',
            'audit.col.at': 'Time',
            'audit.col.actor': 'Who',
            'audit.col.action': 'Action',
            'audit.col.object': 'Object',
            'audit.col.change': 'Change',
            'audit.col.ip': 'IP',

            'users.title': 'Users',
            'users.col.name': 'Name',
            'users.col.role': 'Role',
            'users.col.status': 'Status',
            'users.col.actions': 'Actions',
            'users.active': 'Active',
            'users.disabled': 'Disabled',
            'users.disable': 'Disable',
            'users.enable': 'Enable',
            'users.resetpw': 'New password',
            'users.resetpw.confirm': 'Make a new password for {name}? All of {name}\u2019s sessions end.',
            'users.add': 'Add user',
            'users.add.password': 'Password (leave empty to generate one)',
            'users.add.submit': 'Add',
            'users.password.shown': 'Password for {name} (shown only now):',
            'users.role.changed': 'Role of {name} changed.',
            'users.you': '(you)',
            'role.editor': 'Editor',
            'role.approver': 'Approver',
            'role.admin': 'Admin',
            'copy': 'Copy',
            'copied': 'Copied.',

            'settings.title': 'Settings',
            'settings.foureyes': 'Four-eyes rule (nobody approves their own items)',
            'settings.days': 'Default approval length (days)',
            'settings.clinic': 'Clinic name (on the idle card)',
            'settings.lifetime': 'A feed is valid for {h} hours',
            'settings.done': 'Settings saved.',

            'account.title': 'Account',
            'account.who': 'Logged in as {name} ({role})',
            'account.password': 'Change password',
            'account.old': 'Current password',
            'account.new': 'New password (at least 12 characters)',
            'account.repeat': 'Repeat new password',
            'account.short': 'The new password needs at least 12 characters.',
            'account.mismatch': 'The two new passwords differ.',
            'account.done': 'Password changed. Please sign in with the new password.',

            'nav.sources': 'Sources',

            'who.source': 'source “{name}”',
            'who.rule': 'rule of the source “{name}”',
            'card.origin': 'Taken from the source “{name}”',
            'card.link': 'View the original',
            'card.link.label': 'View the original (opens a new window): {title}',
            'card.notes': 'Note from the source',
            'note.cw': 'Content warning: {text}',
            'note.sensitive': 'Marked sensitive',
            'note.visibility': 'Not public: {text}',
            'note.labels': 'Labels: {text}',
            'card.held.word': 'Held: blocked word “{word}”',
            'card.held.other': 'Held: {reason}',
            'card.held.hint': 'Shown only after an explicit approval.',
            'approve.anyway': 'Approve anyway…',
            'approve.anyway.label': 'Approve anyway: {title}',
            'approve.anyway.title': 'Approve anyway',
            'approve.anyway.ack': 'I have read the reason',
            'approve.anyway.ack.missing': 'Please confirm that you have read the reason.',
            'approve.anyway.hint': 'Approving despite the blocked word is logged on its own.',
            'approve.anyway.confirm': 'Approve anyway',

            'batch.start': 'Approve several',
            'batch.stop': 'Stop selecting',
            'batch.select': 'Select',
            'batch.tips': 'Select all tips',
            'batch.all': 'Select all',
            'batch.none': 'Clear selection',
            'batch.count': '{n} selected',
            'batch.approve': 'Approve {n}',
            'batch.hint': 'Held items and your own (four-eyes rule) can only be approved one by one.',
            'batch.title': 'Approve several',
            'batch.confirm.text': 'Approve {n} items? Each goes to the screens it names.',
            'batch.confirm': 'Approve {n} now',
            'batch.progress': 'Approving … {done} of {n}',
            'batch.done': '{n} approved',
            'batch.failed': '{n} not approved:',

            'sources.title': 'Sources',
            'sources.empty': 'No source set up yet.',
            'sources.kind.rss': 'RSS/Atom feed',
            'sources.kind.mastodon': 'Mastodon',
            'sources.kind.bluesky': 'Bluesky',
            'sources.kind.webhook': 'Webhook',
            'sources.enabled': 'Active',
            'sources.disabled': 'Paused',
            'sources.where.rss': 'Feed: {url}',
            'sources.where.mastodon': '{account} on {url}',
            'sources.where.bluesky': '{account} (via {url})',
            'sources.where.webhook': 'Receives posts through POST /api/ingest',
            'sources.every': 'Polled every {n} minutes',
            'sources.lang': 'Language: {lang}',
            'sources.rule.auto.on': 'Approve automatically: yes',
            'sources.rule.auto.off': 'Approve automatically: no',
            'sources.rule.block.on': 'Blocklist: on',
            'sources.rule.block.off': 'Blocklist: off',
            'sources.rule.cap': 'At most {n} posts a day',
            'sources.rule.nocap': 'No daily cap',
            'sources.lastpoll': 'Last polled: {at}',
            'sources.lastpoll.never': 'Never polled yet',
            'sources.lastok': 'Last success: {at}',
            'sources.lasterror': 'Last error: {error}',
            'sources.posts24h': '{n} new posts in 24 hours',
            'sources.posts24h.cap': '{n} of at most {cap} new posts in 24 hours',
            'sources.token.set': 'Token issued',
            'sources.token.none': 'No token yet',
            'sources.poll': 'Poll now',
            'sources.poll.label': 'Poll now: {name}',
            'sources.poll.done': 'Poll started: {name}',
            'sources.edit.label': 'Edit source: {name}',
            'sources.edit.title': 'Edit source',
            'sources.edit.done': 'Saved: {name}',
            'sources.enable': 'Enable',
            'sources.disable': 'Pause',
            'sources.enable.done': 'Enabled: {name}',
            'sources.disable.done': 'Paused: {name}',
            'sources.token.new': 'New token',
            'sources.token.confirm': 'Make a new token for {name}? The old one stops working at once.',
            'sources.token.shown': 'Token for {name} (shown only now):',
            'sources.howto': 'How another system sends posts: POST to this address, with the token in the “Authorization” header.',
            'sources.howto.after': 'The posts appear in the queue within seconds and wait there for approval.',
            'sources.add': 'Add source',
            'sources.add.submit': 'Add',
            'sources.add.done': 'Source added: {name}',
            'sources.field.kind': 'Kind of source',
            'sources.field.name': 'Name (shown as the source on the cards)',
            'sources.field.feed': 'Feed address',
            'sources.field.instance': 'Mastodon server',
            'sources.field.account': 'Account',
            'sources.field.account.hint': 'For example @praxis@social.example',
            'sources.field.handle': 'Bluesky handle',
            'sources.field.handle.hint': 'For example praxis.bsky.social (or a DID)',
            'sources.field.appview': 'AppView address',
            'sources.advanced': 'Advanced',
            'sources.field.webhook.hint': 'After adding, a token is shown once. Another system (the website\u2019s editor, say) uses it to send posts.',
            'sources.field.poll': 'Poll every … minutes',
            'sources.field.lang': 'Language of the posts',
            'sources.lang.auto': 'As the post says',
            'sources.field.enabled': 'Active (take new posts)',
            'sources.field.rules': 'Rules',
            'sources.field.auto': 'Approve automatically',
            'sources.field.auto.hint': 'Only for the practice\u2019s own accounts; never for content warnings, sensitive content, labels or blocked words.',
            'sources.field.block': 'Use the blocklist',
            'sources.field.block.hint': 'Posts with a blocked word stay held until someone approves them explicitly.',
            'sources.field.cap': 'Daily cap (0 = none)',
            'sources.field.cap.hint': 'Take at most this many new posts within 24 hours.',
        },
    };

    const LANG_KEY = 'signet.lang';
    const ROLE_RANK = { editor: 1, approver: 2, admin: 3 };
    const KINDS = ['post', 'tip', 'notice'];
    const ITEM_STATES = ['pending', 'approved', 'rejected', 'revoked', 'expired', 'all'];
    /* Mirrors of the server's limits (store.h / requests.h), checked here only
     * to answer early; the server enforces them. */
    const MAX_TITLE = 200;
    const MAX_BODY = 2000;
    const MAX_REASON = 500;
    const MAX_NAME = 64;
    const MAX_MEDIA = 4;
    const MAX_MEDIA_BYTES = 8 * 1024 * 1024;
    const MIN_PASSWORD_CHARS = 12;
    const MEDIA_TYPES = ['image/png', 'image/jpeg', 'image/webp'];
    const AUDIT_PAGE = 50;
    const ONSCREEN_REFRESH_MS = 15000;
    const SETTINGS_POLL_MS = 30000;
    const SCREENS_CACHE_MS = 30000;
    const SOURCES_REFRESH_MS = 30000;
    const SOURCE_POLL_SETTLE_MS = 3000; /* "poll now" → reload the card after this */
    const SOURCE_KINDS = ['rss', 'mastodon', 'bluesky', 'webhook'];
    const BLUESKY_APPVIEW = 'https://public.api.bsky.app';
    const MAX_POLL_MINUTES = 10080;
    const MAX_DAILY_CAP = 1000;
    const BATCH_MAX = 200; /* items per POST /api/items/approve */

    const state = {
        lang: 'de',
        user: null,
        csrf: null,
        settings: null,
        screens: null,
        screensAt: 0,
        after: null, /* the hash to return to after login */
        view: null,
        viewTimers: [],
        settingsTimer: 0,
        loginNote: null,
        titleKey: null,
    };

    /* ---------- strings ---------- */

    function t(key, vars) {
        const table = STRINGS[state.lang] || STRINGS.de;
        let s = Object.prototype.hasOwnProperty.call(table, key) ? table[key] : STRINGS.de[key];
        if (s === undefined) s = key;
        if (!vars) return s;
        return s.replace(/\{(\w+)\}/g, (m, k) => (Object.prototype.hasOwnProperty.call(vars, k) ? String(vars[k]) : m));
    }

    function locale() {
        return state.lang === 'en' ? 'en-GB' : 'de-DE';
    }

    /* Re-labels every element built with an i18n key, so switching language
     * keeps what is typed into forms. Strings with values in them follow on
     * the next render. */
    function applyStrings(root) {
        for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
        for (const el of root.querySelectorAll('[data-i18n-attrs]')) {
            for (const pair of el.dataset.i18nAttrs.split(';')) {
                const [attr, key] = pair.split(':');
                if (attr && key && !attr.startsWith('on') && attr !== 'style') el.setAttribute(attr, t(key));
            }
        }
    }

    function setLang(lang) {
        state.lang = lang === 'en' ? 'en' : 'de';
        try {
            localStorage.setItem(LANG_KEY, state.lang);
        } catch (e) {
            /* storage may be off (private mode); the choice then lasts this page only */
        }
        document.documentElement.lang = state.lang;
        const toggle = document.getElementById('lang-toggle');
        toggle.textContent = t('lang.switch');
        toggle.setAttribute('aria-label', t('lang.switch.label'));
        toggle.lang = state.lang === 'de' ? 'en' : 'de';
        applyStrings(document);
        if (state.titleKey) document.title = t(state.titleKey) + ' – Signet';
    }

    /* ---------- DOM helpers (no HTML strings anywhere) ---------- */

    /* h(tag, props, ...children): props may hold class, text, i18n (a key),
     * i18nAttrs ({attr: key}), testid, attrs ({name: value}), on ({event: fn}),
     * dataset, and any element property (type, value, checked, hidden, ...). */
    function h(tag, props, ...children) {
        const el = document.createElement(tag);
        if (props) {
            for (const [k, v] of Object.entries(props)) {
                if (v === undefined || v === null || v === false) continue;
                if (k === 'class') el.className = v;
                else if (k === 'text') el.textContent = v;
                else if (k === 'i18n') {
                    el.dataset.i18n = v;
                    el.textContent = t(v);
                } else if (k === 'i18nAttrs') {
                    const pairs = [];
                    for (const [attr, key] of Object.entries(v)) {
                        el.setAttribute(attr, t(key));
                        pairs.push(attr + ':' + key);
                    }
                    el.dataset.i18nAttrs = pairs.join(';');
                } else if (k === 'testid') el.dataset.testid = v;
                else if (k === 'attrs') {
                    for (const [name, value] of Object.entries(v)) {
                        if (name.startsWith('on') || name === 'style') throw new Error('refused attribute ' + name);
                        el.setAttribute(name, String(value));
                    }
                } else if (k === 'on') {
                    for (const [ev, fn] of Object.entries(v)) el.addEventListener(ev, fn);
                } else if (k === 'dataset') {
                    for (const [name, value] of Object.entries(v)) el.dataset[name] = String(value);
                } else el[k] = v;
            }
        }
        append(el, children);
        return el;
    }

    function append(el, children) {
        for (const c of children) {
            if (c === null || c === undefined || c === false) continue;
            if (Array.isArray(c)) append(el, c);
            else if (c instanceof Node) el.appendChild(c);
            else el.appendChild(document.createTextNode(String(c)));
        }
    }

    let idSeq = 0;
    function uid(prefix) {
        idSeq += 1;
        return (prefix || 'f') + '-' + idSeq;
    }

    /* A labelled form field: returns {wrap, input}. */
    function field(labelKey, input, opts) {
        const o = opts || {};
        if (!input.id) input.id = uid('in');
        const label = h('label', { htmlFor: input.id }, h('span', { i18n: labelKey }), o.optional ? h('span', { class: 'muted', i18n: 'optional' }) : null);
        const wrap = h('div', { class: 'field' + (o.class ? ' ' + o.class : '') }, label, input);
        if (o.hintText || o.hintKey) {
            const hint = o.hintKey ? h('p', { class: 'hint', id: uid('hint'), i18n: o.hintKey }) : h('p', { class: 'hint', id: uid('hint'), text: o.hintText });
            input.setAttribute('aria-describedby', hint.id);
            wrap.appendChild(hint);
        }
        return { wrap, input };
    }

    function button(key, props) {
        return h('button', Object.assign({ type: 'button', class: 'btn', i18n: key }, props || {}));
    }

    function option(value, key, selected) {
        return h('option', { value, i18n: key, selected: !!selected });
    }

    function fmtTime(iso, seconds) {
        if (!iso) return '–';
        const d = new Date(iso);
        if (Number.isNaN(d.getTime())) return String(iso);
        return new Intl.DateTimeFormat(locale(), { dateStyle: 'medium', timeStyle: seconds ? 'medium' : 'short' }).format(d);
    }

    function fmtAgo(iso) {
        const d = new Date(iso);
        if (!iso || Number.isNaN(d.getTime())) return '';
        const s = Math.round((d.getTime() - Date.now()) / 1000);
        const rtf = new Intl.RelativeTimeFormat(locale(), { numeric: 'auto' });
        const a = Math.abs(s);
        if (a < 60) return rtf.format(s, 'second');
        if (a < 3600) return rtf.format(Math.round(s / 60), 'minute');
        if (a < 86400) return rtf.format(Math.round(s / 3600), 'hour');
        return rtf.format(Math.round(s / 86400), 'day');
    }

    function pad2(n) {
        return String(n).padStart(2, '0');
    }

    function todayLocal() {
        const d = new Date();
        return d.getFullYear() + '-' + pad2(d.getMonth() + 1) + '-' + pad2(d.getDate());
    }

    /* "2026-11-22" (a local calendar day) → the RFC 3339 UTC time of that
     * day's last second here, without fractions, as the wire wants it. */
    function endOfDayIso(ymd) {
        const [y, m, d] = ymd.split('-').map(Number);
        return new Date(y, m - 1, d, 23, 59, 59).toISOString().replace(/\.\d{3}Z$/, 'Z');
    }

    function enc(s) {
        return encodeURIComponent(String(s));
    }

    function can(role) {
        return !!state.user && (ROLE_RANK[state.user.role] || 0) >= ROLE_RANK[role];
    }

    /* ---------- messages ---------- */

    class ApiError extends Error {
        constructor(status, code, message, retryAfter) {
            super(message);
            this.status = status;
            this.code = code;
            this.retryAfter = retryAfter;
        }
    }

    /* A mistake caught in the page before anything was sent. */
    function localError(key, vars) {
        return new ApiError(0, 'local', t(key, vars), null);
    }

    function errorText(err) {
        if (!(err instanceof ApiError)) return t('err.other') + ': ' + String(err && err.message ? err.message : err);
        if (err.code === 'local' || err.code === 'network') return err.message;
        const key = 'err.' + err.code;
        const title = Object.prototype.hasOwnProperty.call(STRINGS.de, key) ? t(key) : t('err.other') + ' ' + err.status;
        let text = err.message ? title + ': ' + err.message : title;
        if (err.retryAfter && /^\d+$/.test(err.retryAfter)) text += ' ' + t('err.retry', { s: err.retryAfter });
        return text;
    }

    function showError(err) {
        /* A lost session has already sent the user to the login form. */
        if (err instanceof ApiError && err.status === 401 && err.code !== 'login-failed') return;
        const box = document.getElementById('errors');
        const msg = h('div', { class: 'error' },
            h('p', { text: errorText(err) }),
            h('button', {
                type: 'button', class: 'btn small', i18n: 'close', i18nAttrs: { 'aria-label': 'dismiss' },
                on: { click: () => msg.remove() },
            }));
        box.replaceChildren(msg);
        if (!(err instanceof ApiError)) console.warn(err);
    }

    function clearErrors() {
        document.getElementById('errors').replaceChildren();
    }

    let toastTimer = 0;
    function toast(text) {
        const el = document.getElementById('toast');
        el.textContent = text;
        el.classList.add('show');
        clearTimeout(toastTimer);
        toastTimer = setTimeout(() => el.classList.remove('show'), 4000);
    }

    /* Runs an async action behind a button: disables it meanwhile, shows a
     * failure, never leaves a rejected promise behind. */
    async function busy(btn, fn) {
        if (btn) btn.disabled = true;
        try {
            return await fn();
        } catch (e) {
            showError(e);
            return undefined;
        } finally {
            if (btn) btn.disabled = false;
        }
    }

    /* ---------- the API ---------- */

    /* One request. Non-GET requests carry the CSRF token and
     * Content-Type: application/json, with body as JSON when it is not null
     * (routes without a body refuse any), or opts.raw with opts.type for
     * uploads. 401 ends the session here and sends the user to the login
     * form, unless opts.allow401. */
    async function api(method, path, body, opts) {
        const o = opts || {};
        const headers = { Accept: 'application/json' };
        const init = { method, headers, credentials: 'same-origin', cache: 'no-store', redirect: 'error' };
        if (method !== 'GET' && method !== 'HEAD') {
            if (state.csrf) headers['X-CSRF-Token'] = state.csrf;
            if (o.raw) {
                headers['Content-Type'] = o.type;
                init.body = o.raw;
            } else {
                headers['Content-Type'] = 'application/json';
                if (body !== null && body !== undefined) init.body = JSON.stringify(body);
            }
        }
        let res;
        try {
            res = await fetch(path, init);
        } catch (e) {
            throw new ApiError(0, 'network', t('err.network'), null);
        }
        let data = null;
        if ((res.headers.get('Content-Type') || '').includes('application/json')) {
            try {
                data = await res.json();
            } catch (e) {
                data = null;
            }
        }
        if (res.ok) return data || {};
        const code = data && typeof data.error === 'string' ? data.error : 'http-' + res.status;
        const message = data && typeof data.message === 'string' ? data.message : res.statusText;
        const err = new ApiError(res.status, code, message, res.headers.get('Retry-After'));
        if (res.status === 401 && !o.allow401) sessionLost();
        throw err;
    }

    function previewPng(id, rev) {
        return '/api/items/' + enc(id) + '/revisions/' + enc(rev) + '/preview.png?w=640&h=360';
    }

    async function ensureScreens(force) {
        if (!force && state.screens && Date.now() - state.screensAt < SCREENS_CACHE_MS) return state.screens;
        const r = await api('GET', '/api/screens');
        state.screens = Array.isArray(r.screens) ? r.screens : [];
        state.screensAt = Date.now();
        return state.screens;
    }

    /* ---------- session ---------- */

    function setSession(s) {
        state.user = s.user || null;
        if (typeof s.csrf === 'string') state.csrf = s.csrf;
        if (s.settings) setSettings(s.settings);
        const nav = document.getElementById('nav');
        nav.hidden = !state.user;
        for (const el of document.querySelectorAll('[data-role]')) el.hidden = !can(el.dataset.role);
        clearInterval(state.settingsTimer);
        if (state.user) state.settingsTimer = setInterval(pollSettings, SETTINGS_POLL_MS);
    }

    /* Keeps the emergency banner true. Polls only while the page is visible,
     * so a phone in a pocket lets its session reach the idle timeout. */
    function pollSettings() {
        if (!backgroundAllowed() || !state.user) return;
        api('GET', '/api/settings').then((r) => setSettings(r.settings)).catch(() => { /* the next view shows it */ });
    }

    function setSettings(settings) {
        if (!settings) return;
        state.settings = settings;
        document.getElementById('clinic').textContent = settings.clinic || '';
        const banner = document.getElementById('emergency-banner');
        banner.hidden = !(settings.emergency_stop && state.user);
        document.body.classList.toggle('emergency', !!settings.emergency_stop);
        if (state.view && state.view.onSettings) state.view.onSettings(settings);
    }

    function clearSession() {
        state.user = null;
        state.csrf = null;
        state.settings = null;
        state.screens = null;
        clearInterval(state.settingsTimer);
        document.getElementById('nav').hidden = true;
        document.getElementById('emergency-banner').hidden = true;
        document.getElementById('clinic').textContent = '';
        document.getElementById('pending-count').hidden = true;
    }

    function sessionLost() {
        if (!state.user) return;
        const here = location.hash;
        clearSession();
        state.after = here && !here.startsWith('#/login') ? here : null;
        state.loginNote = 'login.expired';
        for (const d of document.querySelectorAll('dialog')) d.close();
        go('#/login', true);
    }

    function go(hash, replace) {
        if (location.hash === hash) {
            route();
        } else if (replace) {
            history.replaceState(null, '', hash);
            route();
        } else {
            location.hash = hash;
        }
    }

    /* ---------- dialogs ---------- */

    /* A modal sheet (bottom sheet on a phone). onConfirm may throw to keep
     * the sheet open with the message shown inside it. */
    function sheet(opts) {
        const dlg = h('dialog', { class: 'sheet', testid: opts.testid });
        const titleId = uid('dlg');
        dlg.setAttribute('aria-labelledby', titleId);
        const err = h('p', { class: 'sheet-error', attrs: { role: 'alert' }, hidden: true });
        const confirm = h('button', {
            type: 'submit',
            class: 'btn ' + (opts.danger ? 'danger' : 'primary'),
            text: opts.confirmText,
            testid: opts.confirmTestid,
        });
        const cancel = h('button', { type: 'button', class: 'btn', i18n: 'cancel', testid: 'sheet-cancel', on: { click: () => dlg.close() } });
        const form = h('form', { method: 'dialog', class: 'sheet-form' },
            h('h2', { id: titleId, text: opts.title }),
            opts.subtitle ? h('p', { class: 'sheet-subtitle', text: opts.subtitle }) : null,
            opts.body || [],
            err,
            h('div', { class: 'sheet-actions' }, cancel, confirm));
        form.addEventListener('submit', async (ev) => {
            ev.preventDefault();
            err.hidden = true;
            confirm.disabled = true;
            try {
                await opts.onConfirm();
                dlg.close();
            } catch (e) {
                if (e instanceof ApiError && e.status === 401) return;
                err.textContent = errorText(e);
                err.hidden = false;
            } finally {
                confirm.disabled = false;
            }
        });
        dlg.appendChild(form);
        dlg.addEventListener('close', () => dlg.remove());
        document.body.appendChild(dlg);
        dlg.showModal();
        (opts.focus || confirm).focus();
        return dlg;
    }

    function confirmSheet(opts) {
        return new Promise((resolve) => {
            let ok = false;
            const dlg = sheet({
                title: opts.title,
                body: [h('p', { text: opts.text })],
                confirmText: opts.confirmText,
                confirmTestid: opts.confirmTestid,
                danger: opts.danger,
                testid: opts.testid,
                onConfirm: async () => {
                    ok = true;
                },
            });
            dlg.addEventListener('close', () => resolve(ok));
        });
    }

    /* A box that shows a secret once (generated password, screen token). */
    function secretBox(label, secret) {
        const code = h('code', { class: 'secret', text: secret, testid: 'secret' });
        const copy = button('copy', {
            class: 'btn small',
            on: {
                click: () => {
                    if (navigator.clipboard) navigator.clipboard.writeText(secret).then(() => toast(t('copied')), () => {});
                },
            },
        });
        return h('div', { class: 'secret-box', attrs: { role: 'status' } }, h('p', { text: label }), code, navigator.clipboard ? copy : null);
    }

    /* ---------- shared widgets ---------- */

    function targetLabel(tg) {
        if (tg === '*') return t('targets.all');
        if (tg.startsWith('group:')) return t('targets.group', { group: tg.slice(6) });
        if (tg.startsWith('screen:')) {
            const id = tg.slice(7);
            const s = (state.screens || []).find((x) => x.id === id);
            return s && s.name ? s.name : id;
        }
        return tg;
    }

    function targetsText(targets) {
        const list = Array.isArray(targets) && targets.length ? targets : ['*'];
        return list.map(targetLabel).join(', ');
    }

    /* Checkboxes for "*", every group and every screen (plus any selected
     * target the list no longer knows). "*" covers the rest, so checking it
     * disables them. value() returns the chosen targets. */
    function targetPicker(selected) {
        const sel = new Set(Array.isArray(selected) && selected.length ? selected : ['*']);
        const opts = ['*'];
        const groups = new Set();
        for (const s of state.screens || []) if (s.group) groups.add(s.group);
        for (const g of [...groups].sort()) opts.push('group:' + g);
        for (const s of state.screens || []) opts.push('screen:' + s.id);
        for (const s of sel) if (!opts.includes(s)) opts.push(s);
        const boxes = [];
        const fs = h('fieldset', { class: 'targets' }, h('legend', { i18n: 'targets.legend' }));
        for (const value of opts) {
            const box = h('input', { type: 'checkbox', value, checked: sel.has(value), id: uid('tg') });
            box.dataset.testid = value === '*' ? 'target-all' : 'target';
            boxes.push(box);
            fs.appendChild(h('label', { class: 'check', htmlFor: box.id }, box, h('span', { text: targetLabel(value) })));
        }
        const all = boxes[0];
        const sync = () => {
            for (const b of boxes.slice(1)) b.disabled = all.checked;
        };
        all.addEventListener('change', sync);
        sync();
        return {
            el: fs,
            value: () => (all.checked ? ['*'] : boxes.filter((b) => b.checked).map((b) => b.value)),
        };
    }

    function sameSet(a, b) {
        const x = [...new Set(a)].sort();
        const y = [...new Set(b)].sort();
        return x.length === y.length && x.every((v, i) => v === y[i]);
    }

    /* Revoke in two taps: the first shows the confirmation (with an optional
     * reason), the second sends it. */
    function revokeControl(itemId, rev, title, onDone) {
        const reason = h('input', { type: 'text', maxLength: MAX_REASON, testid: 'revoke-reason', autocomplete: 'off' });
        const reasonField = field('revoke.reason', reason, { optional: true });
        const first = h('button', {
            type: 'button', class: 'btn danger-outline', i18n: 'revoke', testid: 'revoke',
            attrs: { 'aria-label': t('revoke.label', { title }) },
        });
        const confirm = button('revoke.confirm', { class: 'btn danger', testid: 'revoke-confirm' });
        const cancel = button('cancel', { testid: 'revoke-cancel' });
        const panel = h('div', { class: 'revoke-panel', hidden: true },
            h('p', { class: 'hint', i18n: 'revoke.hint' }), reasonField.wrap,
            h('div', { class: 'row' }, cancel, confirm));
        const wrap = h('div', { class: 'revoke' }, first, panel);
        first.addEventListener('click', () => {
            first.hidden = true;
            panel.hidden = false;
            wrap.dataset.open = '1';
            confirm.focus();
        });
        cancel.addEventListener('click', () => {
            panel.hidden = true;
            first.hidden = false;
            delete wrap.dataset.open;
            first.focus();
        });
        confirm.addEventListener('click', () => busy(confirm, async () => {
            const body = { rev };
            if (reason.value.trim()) body.reason = reason.value.trim();
            await api('POST', '/api/items/' + enc(itemId) + '/revoke', body);
            toast(t('revoke.done', { title }));
            delete wrap.dataset.open;
            if (onDone) onDone();
        }));
        return wrap;
    }

    /* ---------- views ---------- */

    function viewRoot(titleKey, extra) {
        const h1 = h('h1', { i18n: titleKey, tabIndex: -1 });
        const head = h('div', { class: 'view-head' }, h1, extra || null);
        const root = h('section', { class: 'view' }, head);
        document.getElementById('main').replaceChildren(root);
        state.titleKey = titleKey;
        document.title = t(titleKey) + ' – Signet';
        return { root, h1 };
    }

    /* Background refreshes count as activity for the server's idle timeout,
     * so they stop when nobody has touched the page for a while: a desk tab
     * left open then reaches the timeout like a phone in a pocket. */
    const BACKGROUND_IDLE_MS = 25 * 60 * 1000;
    let lastInput = Date.now();
    for (const ev of ['pointerdown', 'keydown', 'wheel', 'touchstart']) {
        window.addEventListener(ev, () => { lastInput = Date.now(); }, { passive: true, capture: true });
    }
    function backgroundAllowed() {
        return !document.hidden && Date.now() - lastInput < BACKGROUND_IDLE_MS;
    }

    /* A view's timer: cleared when the view goes; idle while the page is
     * hidden or nobody uses it. */
    function every(ms, fn) {
        state.viewTimers.push(setInterval(() => {
            if (backgroundAllowed()) fn();
        }, ms));
    }

    /* --- login --- */

    function viewLogin() {
        const { root } = viewRoot('login.title');
        const name = h('input', { type: 'text', name: 'username', autocomplete: 'username', required: true, maxLength: MAX_NAME, testid: 'login-name', autocapitalize: 'none', spellcheck: false });
        const pw = h('input', { type: 'password', name: 'password', autocomplete: 'current-password', required: true, testid: 'login-password' });
        const err = h('p', { class: 'form-error', attrs: { role: 'alert' }, testid: 'login-error', hidden: true });
        const note = state.loginNote ? h('p', { class: 'note', i18n: state.loginNote }) : null;
        state.loginNote = null;
        const submit = h('button', { type: 'submit', class: 'btn primary wide', i18n: 'login.submit', testid: 'login-submit' });
        const form = h('form', { class: 'card form narrow', testid: 'login-form', noValidate: false },
            note, field('login.name', name).wrap, field('login.password', pw).wrap, err, submit);
        form.addEventListener('submit', async (ev) => {
            ev.preventDefault();
            err.hidden = true;
            submit.disabled = true;
            try {
                const r = await api('POST', '/api/login', { name: name.value, password: pw.value }, { allow401: true });
                pw.value = '';
                setSession(r);
                const s = await api('GET', '/api/session');
                setSession(s);
                const after = state.after;
                state.after = null;
                go(after || '#/queue', true);
            } catch (e) {
                err.textContent = e instanceof ApiError && e.code === 'login-failed' ? t('login.failed') : errorText(e);
                err.hidden = false;
                pw.select();
            } finally {
                submit.disabled = false;
            }
        });
        root.appendChild(form);
        return { focus: name };
    }

    /* --- queue --- */

    function viewQueue(arg) {
        const filter = ITEM_STATES.includes(arg) ? arg : 'pending';
        const refresh = button('refresh', { class: 'btn small', testid: 'queue-refresh' });
        const batchable = filter === 'pending' && can('approver');
        const toggle = batchable ? button('batch.start', { class: 'btn small', testid: 'batch-toggle', attrs: { 'aria-pressed': 'false' } }) : null;
        const { root } = viewRoot('queue.title', refresh);
        const sel = h('select', { testid: 'queue-filter' }, ITEM_STATES.map((s) => option(s, 'state.' + s, s === filter)));
        sel.value = filter;
        sel.addEventListener('change', () => go(sel.value === 'pending' ? '#/queue' : '#/queue/' + sel.value));
        const list = h('div', { class: 'cards', testid: 'queue-list', attrs: { 'aria-busy': 'true' } }, h('p', { class: 'muted', i18n: 'loading' }));
        const result = h('div', { class: 'batch-result', tabIndex: -1 });
        root.append(h('div', { class: 'toolbar row' }, field('queue.filter', sel, { class: 'inline' }).wrap, toggle), result);
        const batch = batchable ? batchControls(list, toggle, result, () => load()) : null;
        if (batch) root.append(batch.tools);
        root.appendChild(list);
        if (batch) root.append(batch.bar);

        async function load() {
            list.setAttribute('aria-busy', 'true');
            try {
                const [r] = await Promise.all([
                    api('GET', '/api/items?state=' + enc(filter)),
                    ensureScreens().catch(() => null),
                ]);
                const items = Array.isArray(r.items) ? r.items : [];
                const shown = filter === 'pending' ? items.filter((it) => it.latest && it.latest.state === 'pending') : items;
                if (filter === 'pending') setPendingCount(shown.length);
                for (const c of list.children) forgetVisible(c);
                list.replaceChildren(...(shown.length
                    ? shown.map((it) => itemCard(it, load))
                    : [h('p', { class: 'empty', testid: 'queue-empty', i18n: filter === 'pending' ? 'queue.empty' : 'queue.empty.other' })]));
                if (batch) batch.refresh();
            } catch (e) {
                showError(e);
            } finally {
                list.setAttribute('aria-busy', 'false');
            }
        }
        refresh.addEventListener('click', () => busy(refresh, load));
        load();
        return {};
    }

    function setPendingCount(n) {
        const el = document.getElementById('pending-count');
        el.textContent = String(n);
        el.hidden = n === 0;
    }

    /* "Approve several": a checkbox on every card that can be approved as it
     * is (pending, not held, not the user's own under the four-eyes rule),
     * shortcuts to pick all tips or everything, and a bar at the bottom that
     * approves the picked revisions in batches of BATCH_MAX. */
    function batchControls(list, toggle, result, reload) {
        const picked = new Map(); /* item id → {id, rev, title} */
        let on = false;
        const selTips = button('batch.tips', { class: 'btn small', testid: 'batch-select-tips' });
        const selAll = button('batch.all', { class: 'btn small', testid: 'batch-select-all' });
        const selNone = button('batch.none', { class: 'btn small', testid: 'batch-select-none' });
        const tools = h('div', { class: 'batch-tools', testid: 'batch-tools', hidden: true },
            h('p', { class: 'hint', i18n: 'batch.hint' }), h('div', { class: 'row' }, selTips, selAll, selNone));
        const count = h('p', { class: 'batch-count', testid: 'batch-count', attrs: { 'aria-live': 'polite' } });
        const approve = h('button', { type: 'button', class: 'btn primary', testid: 'batch-approve', attrs: { 'aria-haspopup': 'dialog' } });
        const bar = h('div', { class: 'batch-bar', testid: 'batch-bar', hidden: true }, count, approve);

        const cards = () => [...list.querySelectorAll('[data-testid=queue-card][data-selectable="1"]')];
        function update() {
            count.textContent = t('batch.count', { n: picked.size });
            approve.textContent = t('batch.approve', { n: picked.size });
            approve.disabled = picked.size === 0;
        }
        function pick(card, yes) {
            const box = card.querySelector('[data-testid=batch-check]');
            if (box) box.checked = yes;
            card.classList.toggle('picked', yes);
            if (yes) picked.set(card.dataset.itemId, { id: card.dataset.itemId, rev: Number(card.dataset.rev), title: card.dataset.title });
            else picked.delete(card.dataset.itemId);
        }
        function addBox(card) {
            if (card.querySelector('[data-testid=batch-check]')) return;
            const box = h('input', { type: 'checkbox', id: uid('pick'), testid: 'batch-check' });
            box.addEventListener('change', () => {
                pick(card, box.checked);
                update();
            });
            card.prepend(h('label', { class: 'check pick', htmlFor: box.id }, box,
                h('span', { i18n: 'batch.select' }), h('span', { class: 'sr-only', text: ': ' + card.dataset.title })));
            const was = picked.get(card.dataset.itemId);
            pick(card, !!was && was.rev === Number(card.dataset.rev));
        }
        /* After a reload: boxes on the new cards, and picks of items that
         * left the list (or got a new revision) dropped. */
        function refresh() {
            if (!on) return;
            const here = new Map(cards().map((c) => [c.dataset.itemId, Number(c.dataset.rev)]));
            for (const [id, e] of [...picked]) if (here.get(id) !== e.rev) picked.delete(id);
            for (const c of cards()) addBox(c);
            update();
        }
        function set(yes) {
            on = yes;
            toggle.setAttribute('aria-pressed', yes ? 'true' : 'false');
            toggle.dataset.i18n = yes ? 'batch.stop' : 'batch.start';
            toggle.textContent = t(toggle.dataset.i18n);
            tools.hidden = !yes;
            bar.hidden = !yes;
            if (!yes) {
                picked.clear();
                for (const l of list.querySelectorAll('label.pick')) l.remove();
                for (const c of list.querySelectorAll('.picked')) c.classList.remove('picked');
            }
            refresh();
        }
        toggle.addEventListener('click', () => {
            set(!on);
            if (on) selTips.focus();
        });
        selTips.addEventListener('click', () => {
            for (const c of cards()) if (c.dataset.kind === 'tip') pick(c, true);
            update();
        });
        selAll.addEventListener('click', () => {
            for (const c of cards()) pick(c, true);
            update();
        });
        selNone.addEventListener('click', () => {
            for (const c of cards()) pick(c, false);
            picked.clear();
            update();
        });
        approve.addEventListener('click', () => {
            const entries = [...picked.values()];
            if (!entries.length) return;
            const n = entries.length;
            const until = h('input', { type: 'date', min: todayLocal(), testid: 'batch-until' });
            const days = state.settings && state.settings.approval_days;
            const progress = h('p', { class: 'hint', testid: 'batch-progress', attrs: { 'aria-live': 'polite' } });
            sheet({
                title: t('batch.title'),
                subtitle: t('batch.confirm.text', { n }),
                testid: 'batch-sheet',
                confirmText: t('batch.confirm', { n }),
                confirmTestid: 'batch-confirm',
                body: [field('approve.until', until, { optional: true, hintText: days ? t('approve.until.hint', { n: days }) : null }).wrap, progress],
                onConfirm: async () => {
                    const out = await approveMany(entries, until.value ? endOfDayIso(until.value) : null,
                        (done) => { progress.textContent = t('batch.progress', { done, n }); });
                    showBatchResult(result, out);
                    toast(t('batch.done', { n: out.approved }));
                    set(false);
                    reload();
                    setTimeout(() => result.focus(), 0); /* after the sheet gave focus back */
                },
            });
        });
        update();
        return { tools, bar, refresh };
    }

    /* POST /api/items/approve in chunks of at most BATCH_MAX; a chunk the
     * server refused as a whole counts as failed for each of its items. */
    async function approveMany(entries, until, onProgress) {
        const out = { approved: 0, failed: [] };
        for (let i = 0; i < entries.length; i += BATCH_MAX) {
            const chunk = entries.slice(i, i + BATCH_MAX);
            const body = { items: chunk.map((e) => ({ id: e.id, rev: e.rev })) };
            if (until) body.until = until;
            try {
                const r = await api('POST', '/api/items/approve', body);
                out.approved += Number(r.approved) || 0;
                for (const res of Array.isArray(r.results) ? r.results : []) {
                    if (res && res.ok === false) {
                        const e = chunk.find((x) => x.id === res.id);
                        out.failed.push({ title: e ? e.title : String(res.id), error: String(res.error || t('err.other')) });
                    }
                }
            } catch (e) {
                if (e instanceof ApiError && e.status === 401) throw e;
                for (const x of chunk) out.failed.push({ title: x.title, error: errorText(e) });
            }
            onProgress(Math.min(i + BATCH_MAX, entries.length));
        }
        return out;
    }

    function showBatchResult(box, out) {
        box.replaceChildren(h('div', { class: 'note' + (out.failed.length ? ' warn' : ''), testid: 'batch-result', attrs: { role: 'status' } },
            h('p', { class: 'strong', testid: 'batch-done', text: t('batch.done', { n: out.approved }) }),
            out.failed.length ? h('p', { text: t('batch.failed', { n: out.failed.length }) }) : null,
            out.failed.length ? h('ul', {}, out.failed.map((f) => h('li', { testid: 'batch-error', text: f.title + ': ' + f.error }))) : null,
            h('button', { type: 'button', class: 'btn small', i18n: 'close', on: { click: () => box.replaceChildren() } })));
    }

    /* Ingest acts as "source:<name>" (a post it took) and "rule:<name>" (an
     * auto-approval); people act under their own names. */
    function whoText(who) {
        if (typeof who !== 'string' || !who) return '?';
        if (who.startsWith('source:')) return t('who.source', { name: who.slice(7) });
        if (who.startsWith('rule:')) return t('who.rule', { name: who.slice(5) });
        return who;
    }

    /* A revision's notes as the server writes them ("content warning: x;
     * marked sensitive at the source; labels: y"), one line each in the
     * page's language. A "; " inside a warning's own text stays with it. */
    const NOTE_KINDS = [['content warning: ', 'note.cw'], ['visibility: ', 'note.visibility'], ['labels: ', 'note.labels']];
    const NOTE_SENSITIVE = 'marked sensitive at the source';
    function noteLines(notes) {
        const parts = [];
        for (const piece of String(notes).split('; ')) {
            const known = piece === NOTE_SENSITIVE || NOTE_KINDS.some(([pre]) => piece.startsWith(pre));
            if (known || !parts.length) parts.push(piece);
            else parts[parts.length - 1] += '; ' + piece;
        }
        return parts.map((p) => {
            if (p === NOTE_SENSITIVE) return t('note.sensitive');
            const k = NOTE_KINDS.find(([pre]) => p.startsWith(pre));
            return k ? t(k[1], { text: p.slice(k[0].length) }) : p;
        });
    }

    function notesBox(notes, testid) {
        return h('div', { class: 'flag notes', testid },
            h('p', { class: 'flag-title', i18n: 'card.notes' }),
            h('ul', {}, noteLines(notes).map((line) => h('li', { text: line }))));
    }

    function heldBox(held, testid) {
        const m = /^blocked word: (.+)$/s.exec(String(held));
        return h('div', { class: 'flag held', testid },
            h('p', { class: 'flag-title', text: m ? t('card.held.word', { word: m[1] }) : t('card.held.other', { reason: String(held) }) }),
            h('p', { class: 'flag-hint', i18n: 'card.held.hint' }));
    }

    /* Runs fn once el comes near the viewport: the fit check behind a card's
     * warning badge costs the server a layout run, and the tips library puts
     * 140 cards in the queue at once. */
    const visibleFns = new WeakMap();
    let visibleObserver = null;
    function whenVisible(el, fn) {
        if (typeof IntersectionObserver !== 'function') {
            fn();
            return;
        }
        if (!visibleObserver) {
            visibleObserver = new IntersectionObserver((entries) => {
                for (const e of entries) {
                    if (!e.isIntersecting) continue;
                    const f = visibleFns.get(e.target);
                    forgetVisible(e.target);
                    if (f) f();
                }
            }, { rootMargin: '300px 0px' });
        }
        visibleFns.set(el, fn);
        visibleObserver.observe(el);
    }

    function forgetVisible(el) {
        visibleFns.delete(el);
        if (visibleObserver) visibleObserver.unobserve(el);
    }

    function safeLink(url) {
        return typeof url === 'string' && /^https?:\/\/[^\s]+$/i.test(url) ? url : null;
    }

    function itemCard(item, reload) {
        const rev = item.latest || {};
        const title = rev.title || item.id;
        const titleId = uid('card');
        const author = rev.created_by || item.created_by || '';
        const fromSource = author.startsWith('source:') ? author.slice(7) : null;
        const held = rev.state === 'pending' && rev.held ? rev.held : null;
        const card = h('article', {
            class: 'card item-card' + (held ? ' is-held' : ''),
            testid: 'queue-card',
            dataset: { itemId: item.id, kind: item.kind, rev: rev.rev, state: rev.state, title, held: held ? '1' : '0' },
            attrs: { 'aria-labelledby': titleId },
        });

        const img = h('img', {
            src: previewPng(item.id, rev.rev),
            alt: t('card.preview.alt', { title }),
            width: 640, height: 360, loading: 'lazy', decoding: 'async',
            testid: 'preview',
        });
        const preview = h('div', { class: 'preview' }, img);
        img.addEventListener('error', () => {
            preview.classList.add('broken');
            preview.replaceChildren(h('p', { i18n: 'card.preview.broken' }));
        });
        card.appendChild(preview);
        whenVisible(card, () => {
            api('GET', '/api/items/' + enc(item.id) + '/revisions/' + enc(rev.rev) + '/preview')
                .then((p) => {
                    let key = null;
                    if (p.fits === false) key = 'warn.cut';
                    else if (p.min_size === true) key = 'warn.small';
                    if (key) preview.after(h('p', { class: 'badge warn' + (p.fits === false ? ' bad' : ''), testid: 'preview-warning', i18n: key }));
                })
                .catch(() => { /* no badge; the image shows what it can */ });
        });

        const link = safeLink(rev.link);
        const meta = h('div', { class: 'chips' },
            h('span', { class: 'chip kind-' + item.kind, i18n: 'kind.' + item.kind }),
            rev.state ? h('span', { class: 'chip state-' + rev.state, i18n: 'state.' + rev.state }) : null,
            rev.rev > 1 ? h('span', { class: 'chip', text: t('card.rev', { rev: rev.rev }) }) : null);
        const body = h('div', { class: 'card-body' },
            meta,
            h('h2', { class: 'card-title', id: titleId, text: title, lang: rev.lang === 'de' || rev.lang === 'en' ? rev.lang : undefined }),
            held ? heldBox(held, 'card-held') : null,
            rev.notes ? notesBox(rev.notes, 'card-notes') : null,
            fromSource !== null ? h('p', { class: 'byline origin', testid: 'card-origin', text: t('card.origin', { name: fromSource }) }) : null,
            rev.author ? h('p', { class: 'byline', text: t('card.by', { author: rev.author }) }) : null,
            rev.source && rev.source !== fromSource ? h('p', { class: 'byline', text: t('card.source', { source: rev.source }) }) : null,
            link ? h('p', { class: 'byline' }, h('a', {
                href: link, target: '_blank', rel: 'noopener noreferrer', i18n: 'card.link', testid: 'card-link',
                attrs: { 'aria-label': t('card.link.label', { title }) },
            })) : null,
            h('p', { class: 'meta', text: t('card.created', { who: whoText(author), at: fmtTime(rev.created_at || item.created_at) }) }),
            h('p', { class: 'meta', text: t('card.targets', { targets: targetsText(rev.state === 'approved' && rev.approved_targets ? rev.approved_targets : rev.targets) }) }),
            rev.decided_by && rev.state ? h('p', { class: 'meta', text: t('card.decided', { state: t('state.' + rev.state), who: whoText(rev.decided_by), at: fmtTime(rev.decided_at) }) }) : null,
            rev.until && rev.state === 'approved' ? h('p', { class: 'meta', text: t('card.until', { at: fmtTime(rev.until) }) }) : null,
            rev.reason ? h('p', { class: 'meta', text: t('card.reason', { reason: rev.reason }) }) : null,
            item.shown && item.shown.rev !== rev.rev ? h('p', { class: 'note', text: t('card.shown', { rev: item.shown.rev }) }) : null);
        card.appendChild(body);

        const actions = h('div', { class: 'actions' });
        if (rev.state === 'pending' && can('approver')) {
            const fourEyes = !!(state.settings && state.settings.four_eyes && state.settings.four_eyes[item.kind]) &&
                rev.created_by === state.user.name;
            const approve = h('button', {
                type: 'button',
                class: held ? 'btn approve-anyway' : 'btn primary',
                i18n: held ? 'approve.anyway' : 'approve',
                testid: held ? 'approve-anyway' : 'approve',
                disabled: fourEyes,
                attrs: { 'aria-label': t(held ? 'approve.anyway.label' : 'approve.label', { title }), 'aria-haspopup': 'dialog' },
            });
            approve.addEventListener('click', () => openApprove(item, reload));
            const reject = h('button', {
                type: 'button', class: 'btn danger-outline', i18n: 'reject', testid: 'reject',
                attrs: { 'aria-label': t('reject.label', { title }) },
            });
            reject.addEventListener('click', () => openReject(item, reload));
            actions.append(approve, reject);
            if (fourEyes) body.appendChild(h('p', { class: 'note', i18n: 'card.foureyes' }));
            if (!fourEyes && !held) card.dataset.selectable = '1';
        }
        actions.appendChild(h('a', {
            class: 'btn', href: '#/edit/' + enc(item.id), i18n: 'edit', testid: 'edit',
            attrs: { 'aria-label': t('edit.label', { title }) },
        }));
        const shown = item.shown && item.shown.state === 'approved' ? item.shown : null;
        if (shown && can('approver')) actions.appendChild(revokeControl(item.id, shown.rev, shown.title || title, reload));
        card.appendChild(actions);
        return card;
    }

    /* A held revision (a blocked word) is approved only with release_hold,
     * after the approver ticked that they read why it was held. */
    function openApprove(item, reload) {
        const rev = item.latest;
        const held = rev.held || null;
        const own = Array.isArray(rev.targets) && rev.targets.length ? rev.targets : ['*'];
        const until = h('input', { type: 'date', min: todayLocal(), testid: 'approve-until' });
        const days = state.settings && state.settings.approval_days;
        const picker = targetPicker(own);
        const ack = held ? h('input', { type: 'checkbox', id: uid('ack'), testid: 'release-ack' }) : null;
        sheet({
            title: t(held ? 'approve.anyway.title' : 'approve.title'),
            subtitle: rev.title,
            testid: 'approve-sheet',
            confirmText: t(held ? 'approve.anyway.confirm' : 'approve.confirm'),
            confirmTestid: 'approve-confirm',
            danger: !!held,
            focus: ack || undefined,
            body: [
                held ? heldBox(held, 'approve-held') : null,
                rev.notes ? notesBox(rev.notes, 'approve-notes') : null,
                held ? h('label', { class: 'check ack', htmlFor: ack.id }, ack, h('span', { i18n: 'approve.anyway.ack' })) : null,
                held ? h('p', { class: 'hint', i18n: 'approve.anyway.hint' }) : null,
                field('approve.until', until, { optional: true, hintText: days ? t('approve.until.hint', { n: days }) : null }).wrap,
                picker.el,
            ],
            onConfirm: async () => {
                if (held && !ack.checked) {
                    ack.focus();
                    throw localError('approve.anyway.ack.missing');
                }
                const body = { rev: rev.rev };
                if (held) body.release_hold = true;
                if (until.value) body.until = endOfDayIso(until.value);
                const targets = picker.value();
                if (!targets.length) throw localError('targets.none');
                if (!sameSet(targets, own)) body.targets = targets;
                await api('POST', '/api/items/' + enc(item.id) + '/approve', body);
                toast(t('approve.done', { title: rev.title }));
                reload();
            },
        });
    }

    function openReject(item, reload) {
        const rev = item.latest;
        const reason = h('textarea', { rows: 3, maxLength: MAX_REASON, required: true, testid: 'reject-reason' });
        sheet({
            title: t('reject.title'),
            subtitle: rev.title,
            testid: 'reject-sheet',
            confirmText: t('reject.confirm'),
            confirmTestid: 'reject-confirm',
            danger: true,
            focus: reason,
            body: [field('reject.reason', reason).wrap],
            onConfirm: async () => {
                const text = reason.value.trim();
                if (!text) throw localError('reject.reason.missing');
                await api('POST', '/api/items/' + enc(item.id) + '/reject', { rev: rev.rev, reason: text });
                toast(t('reject.done', { title: rev.title }));
                reload();
            },
        });
    }

    /* --- on screen now --- */

    function viewOnscreen() {
        const refresh = button('refresh', { class: 'btn small', testid: 'onscreen-refresh' });
        const { root } = viewRoot('onscreen.title', refresh);
        const stopArea = h('div', { class: 'stop-area' });
        const list = h('div', { class: 'cards', testid: 'onscreen-list', attrs: { 'aria-busy': 'true' } }, h('p', { class: 'muted', i18n: 'loading' }));
        root.append(stopArea, list);

        function renderStop(settings) {
            stopArea.replaceChildren();
            if (!can('approver') || !settings) return;
            /* While the stop is on, the banner above every view carries the undo. */
            if (!settings.emergency_stop) {
                const stop = button('emergency.stop', { class: 'btn stop', testid: 'emergency-stop' });
                stop.addEventListener('click', () => emergency(true));
                stopArea.appendChild(stop);
            }
        }

        /* fromTimer: skip the rebuild while it would throw away a half-done
         * revoke, a shown token or typing. */
        async function load(fromTimer) {
            if (fromTimer === true && (list.querySelector('[data-open]') || document.querySelector('dialog[open]') ||
                (list.contains(document.activeElement) && document.activeElement.tagName === 'INPUT'))) return;
            list.setAttribute('aria-busy', 'true');
            try {
                const screens = await ensureScreens(true);
                list.replaceChildren(...(screens.length
                    ? screens.map((s) => screenCard(s, () => load(false)))
                    : [h('p', { class: 'empty', i18n: 'onscreen.empty' })]));
                if (can('admin')) list.appendChild(addScreenForm(() => load(false)));
            } catch (e) {
                showError(e);
            } finally {
                list.setAttribute('aria-busy', 'false');
            }
        }
        refresh.addEventListener('click', () => busy(refresh, () => load(false)));
        renderStop(state.settings);
        load();
        every(ONSCREEN_REFRESH_MS, () => load(true));
        return { onSettings: renderStop };
    }

    function screenCard(s, reload) {
        const name = s.name || s.id;
        const titleId = uid('scr');
        const st = s.status && typeof s.status === 'object' ? s.status : null;
        const feed = Array.isArray(s.feed_items) ? s.feed_items : [];
        let showing = t('onscreen.unknown');
        if (st && st.item === 'idle') showing = t('onscreen.idle');
        else if (st && typeof st.item === 'string') {
            const f = feed.find((x) => x.id === st.item);
            showing = (f && f.title ? f.title : st.item) + (st.rev ? ' (' + t('card.rev', { rev: st.rev }) + ')' : '');
        }
        const where = [s.group ? t('targets.group', { group: s.group }) : null, s.location || null].filter(Boolean).join(' · ');
        const card = h('article', { class: 'card screen-card', testid: 'screen-card', dataset: { screenId: s.id }, attrs: { 'aria-labelledby': titleId } });
        card.appendChild(h('div', { class: 'screen-head' },
            h('h2', { class: 'card-title', id: titleId, text: name }),
            h('span', {
                class: 'status ' + (s.online ? 'online' : 'offline'), testid: 'screen-online',
                dataset: { online: s.online ? '1' : '0' }, i18n: s.online ? 'onscreen.online' : 'onscreen.offline',
            })));
        card.appendChild(h('p', { class: 'meta', text: [s.id, where].filter(Boolean).join(' · ') }));
        card.appendChild(h('p', { class: 'meta', text: s.last_seen ? t('onscreen.lastseen', { at: fmtTime(s.last_seen) + ' (' + fmtAgo(s.last_seen) + ')' }) : t('onscreen.never') }));
        if (st) card.appendChild(h('p', { class: 'showing', testid: 'screen-showing', text: t('onscreen.showing', { what: showing }) }));
        if (s.feed_version) card.appendChild(h('p', { class: 'meta', text: t('onscreen.version', { v: s.feed_version }) }));
        if (st && typeof st.last_error === 'string' && st.last_error) card.appendChild(h('p', { class: 'note warn', text: t('onscreen.lasterror', { error: st.last_error }) }));

        const shot = h('div', { class: 'screenshot' });
        if (s.has_screenshot) {
            const img = h('img', {
                src: '/api/screens/' + enc(s.id) + '/screenshot.png?seen=' + enc(s.last_seen || ''),
                alt: t('onscreen.screenshot.alt', { name }), loading: 'lazy', testid: 'screenshot',
            });
            shot.appendChild(h('a', { href: img.src, target: '_blank', rel: 'noopener' }, img));
        } else shot.appendChild(h('p', { class: 'muted', i18n: 'onscreen.screenshot.none' }));
        if (s.screenshot_requested) shot.appendChild(h('p', { class: 'hint', testid: 'screenshot-requested', i18n: 'onscreen.screenshot.requested' }));
        card.appendChild(shot);

        const feedList = h('ul', { class: 'feed', testid: 'feed-list' });
        for (const f of feed) {
            const ftitle = f.title || f.id;
            const li = h('li', { class: 'feed-item', testid: 'feed-item', dataset: { itemId: f.id, rev: f.rev } },
                h('div', { class: 'feed-text' },
                    h('span', { class: 'chip kind-' + f.kind, i18n: 'kind.' + f.kind }),
                    h('span', { class: 'feed-title', text: ftitle })));
            if (can('approver')) li.appendChild(revokeControl(f.id, f.rev, ftitle, reload));
            feedList.appendChild(li);
        }
        card.appendChild(h('h3', { i18n: 'onscreen.feed' }));
        card.appendChild(feed.length ? feedList : h('p', { class: 'muted', i18n: 'onscreen.feed.empty' }));

        const actions = h('div', { class: 'actions' });
        if (can('approver')) {
            const req = button('onscreen.screenshot.request', { testid: 'request-screenshot' });
            req.addEventListener('click', () => busy(req, async () => {
                await api('POST', '/api/screens/' + enc(s.id) + '/screenshot', null);
                toast(t('onscreen.screenshot.done', { name }));
                reload();
            }));
            actions.appendChild(req);
        }
        if (can('admin')) {
            const tok = button('onscreen.token.new', { testid: 'screen-token' });
            const out = h('div');
            tok.addEventListener('click', async () => {
                const ok = await confirmSheet({ title: t('onscreen.token.new'), text: t('onscreen.token.confirm', { name }), confirmText: t('onscreen.token.new'), danger: true });
                if (!ok) return;
                await busy(tok, async () => {
                    const r = await api('POST', '/api/screens/' + enc(s.id) + '/token', null);
                    out.replaceChildren(secretBox(t('onscreen.token.shown', { name }), r.token));
                    card.dataset.open = '1'; /* keep the token on screen: no auto refresh */
                });
            });
            actions.appendChild(tok);
            card.appendChild(out);
        }
        if (actions.childElementCount) card.appendChild(actions);
        return card;
    }

    function addScreenForm(reload) {
        const id = h('input', { type: 'text', required: true, maxLength: MAX_NAME, pattern: '[A-Za-z0-9._\\-]{1,64}', autocapitalize: 'none', spellcheck: false, testid: 'screen-add-id' });
        const name = h('input', { type: 'text', required: true, maxLength: 200, testid: 'screen-add-name' });
        const group = h('input', { type: 'text', maxLength: MAX_NAME, pattern: '[A-Za-z0-9._\\-]{1,64}', autocapitalize: 'none' });
        const loc = h('input', { type: 'text', maxLength: 200 });
        const tz = h('input', { type: 'text', maxLength: 64, placeholder: 'Europe/Berlin', autocapitalize: 'none', spellcheck: false });
        const out = h('div');
        const submit = h('button', { type: 'submit', class: 'btn primary', i18n: 'onscreen.add.submit' });
        const form = h('form', { class: 'form' },
            field('onscreen.add.id', id).wrap, field('onscreen.add.name', name).wrap,
            field('onscreen.add.group', group, { optional: true }).wrap, field('onscreen.add.location', loc, { optional: true }).wrap,
            field('onscreen.add.timezone', tz, { optional: true }).wrap, submit);
        const details = h('details', { class: 'card add-screen' }, h('summary', { i18n: 'onscreen.add' }), form, out);
        form.addEventListener('submit', (ev) => {
            ev.preventDefault();
            busy(submit, async () => {
                const body = { id: id.value.trim(), name: name.value.trim() };
                if (group.value.trim()) body.group = group.value.trim();
                if (loc.value.trim()) body.location = loc.value.trim();
                if (tz.value.trim()) body.timezone = tz.value.trim();
                const r = await api('POST', '/api/screens', body);
                state.screens = null;
                form.reset();
                out.replaceChildren(secretBox(t('onscreen.token.shown', { name: body.name }), r.token));
                details.dataset.open = '1';
            });
        });
        details.addEventListener('toggle', () => {
            if (!details.open) {
                delete details.dataset.open;
                reload();
            }
        });
        return details;
    }

    async function emergency(stop) {
        const ok = await confirmSheet({
            title: t(stop ? 'emergency.stop.go' : 'emergency.undo'),
            text: t(stop ? 'emergency.stop.confirm' : 'emergency.undo.confirm'),
            confirmText: t(stop ? 'emergency.stop.go' : 'emergency.undo'),
            confirmTestid: stop ? 'emergency-stop-confirm' : 'emergency-undo-confirm',
            danger: stop,
        });
        if (!ok) return;
        await busy(null, async () => {
            const r = await api('POST', '/api/emergency', { stop });
            setSettings(r.settings);
            toast(t(stop ? 'emergency.done.on' : 'emergency.done.off'));
        });
    }

    /* --- compose / edit --- */

    function viewCompose(editId) {
        const { root } = viewRoot(editId ? 'compose.title.edit' : 'compose.title.new');
        const holder = h('div', {}, h('p', { class: 'muted', i18n: 'loading' }));
        root.appendChild(holder);
        (async () => {
            try {
                const [r] = await Promise.all([
                    editId ? api('GET', '/api/items/' + enc(editId)) : Promise.resolve(null),
                    ensureScreens().catch(() => null),
                ]);
                holder.replaceChildren(composeForm(editId, r ? r.item.latest : null));
            } catch (e) {
                holder.replaceChildren();
                showError(e);
            }
        })();
        return {};
    }

    function counter(input, max) {
        const out = h('p', { class: 'hint counter', attrs: { 'aria-live': 'off' } });
        const upd = () => {
            out.textContent = t('compose.chars', { n: [...input.value].length, max });
        };
        input.addEventListener('input', upd);
        upd();
        return out;
    }

    function composeForm(editId, rev) {
        const r = rev || {};
        const kindName = uid('kind');
        const kinds = KINDS.map((k) => h('input', { type: 'radio', name: kindName, value: k, checked: (r.kind || 'post') === k, id: uid('kind'), testid: 'compose-kind-' + k }));
        const kindSet = h('fieldset', { class: 'segmented' }, h('legend', { i18n: 'compose.kind' }),
            kinds.map((inp) => h('label', { htmlFor: inp.id }, inp, h('span', { i18n: 'kind.' + inp.value }))));
        const kindValue = () => (kinds.find((k) => k.checked) || kinds[0]).value;

        const title = h('input', { type: 'text', required: true, maxLength: MAX_TITLE, value: r.title || '', testid: 'compose-title' });
        const body = h('textarea', { required: true, rows: 6, maxLength: MAX_BODY, value: r.body || '', testid: 'compose-body' });
        const author = h('input', { type: 'text', maxLength: 200, value: r.author || '', testid: 'compose-author' });
        const source = h('input', { type: 'text', maxLength: 200, value: r.source || '', testid: 'compose-source' });
        const link = h('input', { type: 'url', maxLength: 2000, value: r.link || '', placeholder: 'https://', testid: 'compose-link' });
        const lang = h('select', { testid: 'compose-lang' }, option('de', 'compose.lang.de'), option('en', 'compose.lang.en'));
        lang.value = r.lang === 'en' ? 'en' : 'de';
        const defaultPriority = (k) => (k === 'notice' ? 50 : 0);
        const priority = h('input', { type: 'number', min: 0, max: 100, step: 1, inputMode: 'numeric', value: String(typeof r.priority === 'number' ? r.priority : defaultPriority(kindValue())), testid: 'compose-priority' });
        let priorityTouched = typeof r.priority === 'number';
        priority.addEventListener('input', () => {
            priorityTouched = true;
        });
        for (const k of kinds) {
            k.addEventListener('change', () => {
                if (!priorityTouched) priority.value = String(defaultPriority(kindValue()));
            });
        }

        /* images */
        const media = []; /* {sha256, alt input, url to revoke or null, row} */
        const mediaList = h('ul', { class: 'media-list' });
        const file = h('input', { type: 'file', accept: MEDIA_TYPES.join(','), testid: 'compose-file' });
        const fileField = field('compose.media.add', file);
        function addMedia(sha256, altText, thumbUrl, isBlob, size) {
            const alt = h('input', { type: 'text', maxLength: 500, value: altText || '', required: true, testid: 'compose-alt' });
            const entry = { sha256, alt, url: isBlob ? thumbUrl : null, row: null };
            const remove = button('compose.media.remove', { class: 'btn small danger-outline' });
            const row = h('li', { class: 'media-row' },
                h('img', { src: thumbUrl, alt: '', width: 96, height: 96, class: 'thumb' }),
                h('div', { class: 'media-fields' }, field('compose.media.alt', alt).wrap,
                    size ? h('p', { class: 'hint', text: t('compose.media.size', size) }) : null, remove));
            entry.row = row;
            remove.addEventListener('click', () => {
                const i = media.indexOf(entry);
                if (i >= 0) media.splice(i, 1);
                if (entry.url) URL.revokeObjectURL(entry.url);
                row.remove();
                fileField.wrap.hidden = media.length >= MAX_MEDIA;
            });
            media.push(entry);
            mediaList.appendChild(row);
            fileField.wrap.hidden = media.length >= MAX_MEDIA;
            return alt;
        }
        for (const m of Array.isArray(r.media) ? r.media : []) {
            if (m && typeof m.sha256 === 'string' && /^[0-9a-f]{64}$/.test(m.sha256)) addMedia(m.sha256, m.alt, '/v1/media/' + m.sha256, false, null);
        }
        const uploading = h('p', { class: 'hint', i18n: 'compose.media.uploading', hidden: true });
        file.addEventListener('change', () => {
            const f = file.files && file.files[0];
            if (!f) return;
            busy(file, async () => {
                try {
                    if (media.length >= MAX_MEDIA) throw localError('compose.media.max', { n: MAX_MEDIA });
                    if (!MEDIA_TYPES.includes(f.type)) throw localError('compose.media.type');
                    if (f.size > MAX_MEDIA_BYTES) throw localError('compose.media.toobig');
                    uploading.hidden = false;
                    const m = await api('POST', '/api/media', null, { raw: f, type: f.type });
                    const alt = addMedia(m.sha256, '', URL.createObjectURL(f), true, { w: m.width, h: m.height });
                    alt.focus();
                } finally {
                    uploading.hidden = true;
                    file.value = '';
                }
            });
        });

        const targets = targetPicker(r.targets);

        /* schedule */
        const sch = r.schedule || {};
        const dFrom = h('input', { type: 'date', value: (sch.dates && sch.dates.from) || '', testid: 'schedule-from' });
        const dUntil = h('input', { type: 'date', value: (sch.dates && sch.dates.until) || '', testid: 'schedule-until' });
        const wd = [1, 2, 3, 4, 5, 6, 7].map((n) => h('input', { type: 'checkbox', value: String(n), id: uid('wd'), checked: Array.isArray(sch.weekdays) && sch.weekdays.includes(n) }));
        const wdSet = h('fieldset', { class: 'weekdays' }, h('legend', { i18n: 'compose.schedule.weekdays' }),
            wd.map((inp) => h('label', { class: 'day', htmlFor: inp.id }, inp, h('span', { i18n: 'weekday.' + inp.value }))));
        const hFrom = h('input', { type: 'time', value: (sch.hours && sch.hours.from) || '', testid: 'schedule-hours-from' });
        const hUntil = h('input', { type: 'time', value: (sch.hours && sch.hours.until) || '', testid: 'schedule-hours-until' });
        const hasSchedule = !!(sch.dates || sch.weekdays || sch.hours);
        const schedule = h('details', { class: 'schedule', open: hasSchedule },
            h('summary', { i18n: 'compose.schedule' }),
            h('div', { class: 'pair' }, field('compose.schedule.from', dFrom).wrap, field('compose.schedule.until', dUntil).wrap),
            wdSet,
            h('div', { class: 'pair' }, field('compose.schedule.hoursfrom', hFrom).wrap, field('compose.schedule.hoursuntil', hUntil).wrap));

        const submit = h('button', { type: 'submit', class: 'btn primary wide', i18n: editId ? 'compose.submit.edit' : 'compose.submit.new', testid: 'compose-submit' });
        const form = h('form', { class: 'card form', testid: 'compose-form' },
            editId ? h('p', { class: 'note', i18n: 'compose.edit.hint' }) : null,
            kindSet,
            field('compose.field.title', title).wrap, counter(title, MAX_TITLE),
            field('compose.field.body', body).wrap, counter(body, MAX_BODY),
            field('compose.field.author', author, { optional: true }).wrap,
            field('compose.field.source', source, { optional: true }).wrap,
            field('compose.field.link', link, { optional: true }).wrap,
            h('div', { class: 'pair' }, field('compose.field.lang', lang).wrap, field('compose.field.priority', priority).wrap),
            h('fieldset', { class: 'media' }, h('legend', { i18n: 'compose.media' }), mediaList, fileField.wrap, uploading),
            targets.el,
            schedule,
            submit);

        form.addEventListener('submit', (ev) => {
            ev.preventDefault();
            busy(submit, async () => {
                const input = { kind: kindValue(), title: title.value.trim(), body: body.value.trim() };
                for (const [k, el] of [['author', author], ['source', source], ['link', link]]) if (el.value.trim()) input[k] = el.value.trim();
                input.lang = lang.value;
                const p = Number(priority.value);
                if (priority.value !== '' && Number.isInteger(p)) input.priority = p;
                if (media.length) {
                    if (media.some((m) => !m.alt.value.trim())) throw localError('compose.media.alt.missing');
                    input.media = media.map((m) => ({ sha256: m.sha256, alt: m.alt.value.trim() }));
                }
                const tg = targets.value();
                if (!tg.length) throw localError('targets.none');
                input.targets = tg;
                const s = {};
                if (dFrom.value || dUntil.value) {
                    if (!dFrom.value || !dUntil.value) throw localError('compose.schedule.dates.both');
                    if (dUntil.value < dFrom.value) throw localError('compose.schedule.dates.order');
                    s.dates = { from: dFrom.value, until: dUntil.value };
                }
                const days = wd.filter((x) => x.checked).map((x) => Number(x.value));
                if (days.length && days.length < 7) s.weekdays = days;
                if (hFrom.value || hUntil.value) {
                    if (!hFrom.value || !hUntil.value) throw localError('compose.schedule.hours.both');
                    s.hours = { from: hFrom.value.slice(0, 5), until: hUntil.value.slice(0, 5) };
                }
                if (Object.keys(s).length) input.schedule = s;
                if (editId) await api('POST', '/api/items/' + enc(editId) + '/revisions', input);
                else await api('POST', '/api/items', input);
                for (const m of media) if (m.url) URL.revokeObjectURL(m.url);
                toast(t('compose.done'));
                go('#/queue');
            });
        });
        return form;
    }

    /* --- sources --- */

    function viewSources() {
        const refresh = button('refresh', { class: 'btn small', testid: 'sources-refresh' });
        const { root } = viewRoot('sources.title', refresh);
        const list = h('div', { class: 'cards', testid: 'sources-list', attrs: { 'aria-busy': 'true' } }, h('p', { class: 'muted', i18n: 'loading' }));
        root.appendChild(list);

        /* fromTimer: skip the rebuild while it would throw away a shown
         * token or an open sheet. */
        async function load(fromTimer) {
            if (fromTimer === true && (list.querySelector('[data-open]') || document.querySelector('dialog[open]'))) return;
            list.setAttribute('aria-busy', 'true');
            try {
                const [r] = await Promise.all([api('GET', '/api/sources'), ensureScreens().catch(() => null)]);
                const sources = Array.isArray(r.sources) ? r.sources : [];
                list.replaceChildren(...(sources.length
                    ? sources.map((s) => sourceCard(s, () => load(false)))
                    : [h('p', { class: 'empty', testid: 'sources-empty', i18n: 'sources.empty' })]));
            } catch (e) {
                showError(e);
            } finally {
                list.setAttribute('aria-busy', 'false');
            }
        }
        refresh.addEventListener('click', () => busy(refresh, () => load(false)));
        /* The add form lives outside the list, so a reload keeps a token
         * that was just shown. */
        if (can('admin')) {
            ensureScreens().catch(() => null).then(() => {
                if (root.isConnected) root.appendChild(addSourceForm(() => load(false)));
            });
        }
        load();
        every(SOURCES_REFRESH_MS, () => load(true));
        return {};
    }

    function langName(lang) {
        return lang === 'de' || lang === 'en' ? t('compose.lang.' + lang) : String(lang);
    }

    /* "praxis@social.example" (how the server keeps a Mastodon handle) as
     * people write it. */
    function accountText(kind, account) {
        if (!account) return '';
        if (kind === 'mastodon' && !/^\d+$/.test(account) && !account.startsWith('@')) return '@' + account;
        return account;
    }

    function sourceWhere(s) {
        const vars = { url: s.url || '', account: accountText(s.kind, s.account) };
        return SOURCE_KINDS.includes(s.kind) ? t('sources.where.' + s.kind, vars) : String(s.url || '');
    }

    /* The Source back as a SourceInput (POST /api/sources/{id} replaces every
     * field), with some fields changed. */
    function sourceInput(s, changes) {
        const b = {
            name: s.name,
            targets: Array.isArray(s.targets) && s.targets.length ? s.targets : ['*'],
            auto_approve: !!s.auto_approve,
            use_blocklist: s.use_blocklist !== false,
            daily_cap: Number(s.daily_cap) || 0,
            enabled: !!s.enabled,
        };
        if (s.kind !== 'webhook') {
            if (s.url) b.url = s.url;
            if (s.poll_minutes) b.poll_minutes = s.poll_minutes;
        }
        if (s.account) b.account = s.account;
        if (s.lang) b.lang = s.lang;
        return Object.assign(b, changes || {});
    }

    function sourceCard(s, reload) {
        const name = s.name || String(s.id);
        const titleId = uid('src');
        const polled = s.kind !== 'webhook';
        const card = h('article', {
            class: 'card source-card', testid: 'source-card',
            dataset: { sourceId: s.id, kind: s.kind, enabled: s.enabled ? '1' : '0', name },
            attrs: { 'aria-labelledby': titleId },
        });
        card.appendChild(h('div', { class: 'screen-head' },
            h('h2', { class: 'card-title', id: titleId, text: name }),
            h('span', { class: 'status ' + (s.enabled ? 'online' : 'paused'), testid: 'source-enabled', i18n: s.enabled ? 'sources.enabled' : 'sources.disabled' })));
        card.appendChild(h('div', { class: 'chips' },
            h('span', { class: 'chip source-kind', testid: 'source-kind', i18n: SOURCE_KINDS.includes(s.kind) ? 'sources.kind.' + s.kind : undefined, text: SOURCE_KINDS.includes(s.kind) ? undefined : String(s.kind) }),
            s.lang ? h('span', { class: 'chip', text: t('sources.lang', { lang: langName(s.lang) }) }) : null));
        card.appendChild(h('p', { class: 'meta break', testid: 'source-where', text: sourceWhere(s) }));
        if (polled && s.poll_minutes) card.appendChild(h('p', { class: 'meta', text: t('sources.every', { n: s.poll_minutes }) }));
        card.appendChild(h('p', { class: 'meta', text: t('card.targets', { targets: targetsText(s.targets) }) }));

        const cap = Number(s.daily_cap) || 0;
        card.appendChild(h('ul', { class: 'rules', testid: 'source-rules' },
            h('li', { class: s.auto_approve ? 'rule on' : 'rule', dataset: { rule: 'auto', on: s.auto_approve ? '1' : '0' }, i18n: s.auto_approve ? 'sources.rule.auto.on' : 'sources.rule.auto.off' }),
            h('li', { class: s.use_blocklist ? 'rule on' : 'rule', dataset: { rule: 'blocklist', on: s.use_blocklist ? '1' : '0' }, i18n: s.use_blocklist ? 'sources.rule.block.on' : 'sources.rule.block.off' }),
            h('li', { class: cap ? 'rule on' : 'rule', dataset: { rule: 'cap', on: String(cap) }, text: cap ? t('sources.rule.cap', { n: cap }) : t('sources.rule.nocap') })));

        const status = h('div', { class: 'source-status' });
        if (polled) {
            status.appendChild(h('p', {
                class: 'meta', testid: 'source-lastpoll',
                text: s.last_poll_at ? t('sources.lastpoll', { at: fmtAgo(s.last_poll_at) + ' (' + fmtTime(s.last_poll_at) + ')' }) : t('sources.lastpoll.never'),
            }));
            if (s.last_ok_at && s.last_ok_at !== s.last_poll_at) status.appendChild(h('p', { class: 'meta', text: t('sources.lastok', { at: fmtAgo(s.last_ok_at) }) }));
        } else {
            status.appendChild(h('p', { class: 'meta', testid: 'source-has-token', i18n: s.has_token ? 'sources.token.set' : 'sources.token.none' }));
        }
        status.appendChild(h('p', {
            class: 'meta', testid: 'source-posts',
            text: cap ? t('sources.posts24h.cap', { n: Number(s.posts_24h) || 0, cap }) : t('sources.posts24h', { n: Number(s.posts_24h) || 0 }),
        }));
        if (typeof s.last_error === 'string' && s.last_error) {
            status.appendChild(h('p', { class: 'note warn', testid: 'source-error', text: t('sources.lasterror', { error: s.last_error }) }));
        }
        card.appendChild(status);

        const out = h('div');
        const actions = h('div', { class: 'actions' });
        if (polled && can('approver')) {
            const poll = button('sources.poll', { testid: 'source-poll', disabled: !s.enabled, attrs: { 'aria-label': t('sources.poll.label', { name }) } });
            poll.addEventListener('click', () => busy(poll, async () => {
                await api('POST', '/api/sources/' + enc(s.id) + '/poll', null);
                toast(t('sources.poll.done', { name }));
                /* The poll runs in the background; show its outcome soon. */
                setTimeout(() => {
                    if (card.isConnected) reload();
                }, SOURCE_POLL_SETTLE_MS);
            }));
            actions.appendChild(poll);
        }
        if (can('admin')) {
            const edit = button('edit', { testid: 'source-edit', attrs: { 'aria-label': t('sources.edit.label', { name }), 'aria-haspopup': 'dialog' } });
            edit.addEventListener('click', () => openSourceEdit(s, reload));
            const toggle = button(s.enabled ? 'sources.disable' : 'sources.enable', { testid: 'source-toggle', class: 'btn' + (s.enabled ? ' danger-outline' : '') });
            toggle.addEventListener('click', () => busy(toggle, async () => {
                await api('POST', '/api/sources/' + enc(s.id), sourceInput(s, { enabled: !s.enabled }));
                toast(t(s.enabled ? 'sources.disable.done' : 'sources.enable.done', { name }));
                reload();
            }));
            actions.append(edit, toggle);
            if (!polled) {
                const tok = button('sources.token.new', { testid: 'source-token' });
                tok.addEventListener('click', async () => {
                    const ok = await confirmSheet({
                        title: t('sources.token.new'), text: t('sources.token.confirm', { name }),
                        confirmText: t('sources.token.new'), confirmTestid: 'source-token-confirm', danger: true,
                    });
                    if (!ok) return;
                    await busy(tok, async () => {
                        const r = await api('POST', '/api/sources/' + enc(s.id) + '/token', null);
                        out.replaceChildren(webhookTokenBox(name, r.token));
                        card.dataset.open = '1'; /* keep the token on screen: no auto refresh */
                        out.querySelector('.secret-box').focus();
                    });
                });
                actions.appendChild(tok);
            }
        }
        card.appendChild(out);
        if (actions.childElementCount) card.appendChild(actions);
        return card;
    }

    /* A webhook's token, shown once, and how another system uses it. */
    function webhookTokenBox(name, token) {
        const box = secretBox(t('sources.token.shown', { name }), token);
        box.tabIndex = -1;
        const example = [
            'POST ' + location.origin + '/api/ingest',
            'Authorization: Bearer <token>',
            'Content-Type: application/json',
            '',
            '{"posts": [{"id": "2026-001", "title": "…", "body": "…", "link": "https://…"}]}',
        ].join('\n');
        return h('div', { class: 'token-out', testid: 'source-token-box' },
            box,
            h('p', { i18n: 'sources.howto' }),
            h('pre', { class: 'howto', testid: 'source-howto', text: example }),
            h('p', { class: 'hint', i18n: 'sources.howto.after' }));
    }

    /* "social.example" → "https://social.example"; the server checks the rest. */
    function normUrl(v) {
        const s = String(v || '').trim();
        if (!s) return '';
        return /^[a-z][a-z0-9+.-]*:\/\//i.test(s) ? s : 'https://' + s;
    }

    function intOr(v, dflt) {
        const n = Number(v);
        return v !== '' && Number.isInteger(n) ? n : dflt;
    }

    /* A checkbox with its one-line explanation under it. */
    function checkField(labelKey, hintKey, checked, testid) {
        const input = h('input', { type: 'checkbox', id: uid('chk'), checked: !!checked, testid });
        const hint = h('p', { class: 'hint', id: uid('hint'), i18n: hintKey });
        input.setAttribute('aria-describedby', hint.id);
        return { input, wrap: h('div', { class: 'check-field' }, h('label', { class: 'check', htmlFor: input.id }, input, h('span', { i18n: labelKey })), hint) };
    }

    /* The fields of a source, for adding one (src null: the kind is chosen
     * here and decides which fields show) or changing one (the kind is
     * fixed). value() returns the SourceInput or throws a local error. */
    function sourceFields(src) {
        const s = src || {};
        const kindSel = src ? null : h('select', { testid: 'source-kind' }, SOURCE_KINDS.map((k) => option(k, 'sources.kind.' + k, k === 'rss')));
        const kind = () => (src ? src.kind : kindSel.value);
        const text = (props) => h('input', Object.assign({ type: 'text', autocomplete: 'off', autocapitalize: 'none', spellcheck: false }, props));
        const name = h('input', { type: 'text', required: true, maxLength: MAX_NAME, value: s.name || '', autocomplete: 'off', testid: 'source-name' });
        const feed = text({ inputMode: 'url', maxLength: 2000, placeholder: 'https://praxis.example/feed.xml', value: s.kind === 'rss' ? s.url || '' : '', testid: 'source-feed-url' });
        const instance = text({ inputMode: 'url', maxLength: 2000, placeholder: 'https://social.example', value: s.kind === 'mastodon' ? s.url || '' : '', testid: 'source-instance' });
        const account = text({ maxLength: 254, placeholder: '@praxis@social.example', value: s.kind === 'mastodon' ? accountText('mastodon', s.account) : '', testid: 'source-account' });
        const handle = text({ maxLength: 254, placeholder: 'praxis.bsky.social', value: s.kind === 'bluesky' ? s.account || '' : '', testid: 'source-handle' });
        const appview = text({ inputMode: 'url', maxLength: 2000, value: s.kind === 'bluesky' && s.url ? s.url : BLUESKY_APPVIEW, testid: 'source-appview' });
        const poll = h('input', { type: 'number', min: 1, max: MAX_POLL_MINUTES, step: 1, inputMode: 'numeric', required: true, value: String(s.poll_minutes || 15), testid: 'source-poll-minutes' });
        const lang = h('select', { testid: 'source-lang' }, option('', 'sources.lang.auto'), option('de', 'compose.lang.de'), option('en', 'compose.lang.en'),
            s.lang && s.lang !== 'de' && s.lang !== 'en' ? h('option', { value: s.lang, text: s.lang }) : null);
        lang.value = s.lang || '';
        const enabled = h('input', { type: 'checkbox', id: uid('chk'), checked: s.enabled !== false, testid: 'source-enabled-box' });
        const auto = checkField('sources.field.auto', 'sources.field.auto.hint', !!s.auto_approve, 'source-auto');
        const block = checkField('sources.field.block', 'sources.field.block.hint', s.use_blocklist !== false, 'source-blocklist');
        const cap = h('input', { type: 'number', min: 0, max: MAX_DAILY_CAP, step: 1, inputMode: 'numeric', required: true, value: String(Number(s.daily_cap) || 0), testid: 'source-cap' });
        const targets = targetPicker(s.targets);

        const parts = {
            rss: h('div', { class: 'form' }, field('sources.field.feed', feed).wrap),
            mastodon: h('div', { class: 'form' }, field('sources.field.instance', instance).wrap, field('sources.field.account', account, { hintKey: 'sources.field.account.hint' }).wrap),
            bluesky: h('div', { class: 'form' }, field('sources.field.handle', handle, { hintKey: 'sources.field.handle.hint' }).wrap,
                h('details', { class: 'advanced' }, h('summary', { i18n: 'sources.advanced' }), field('sources.field.appview', appview).wrap)),
            webhook: src ? h('div') : h('p', { class: 'note', i18n: 'sources.field.webhook.hint' }),
        };
        const pollField = field('sources.field.poll', poll);
        function sync() {
            const k = kind();
            for (const [pk, el] of Object.entries(parts)) el.hidden = pk !== k;
            pollField.wrap.hidden = k === 'webhook';
            /* Only what shows is required: a hidden required field would
             * block the form without anyone seeing why. */
            feed.required = k === 'rss';
            instance.required = k === 'mastodon';
            account.required = k === 'mastodon';
            handle.required = k === 'bluesky';
            poll.required = k !== 'webhook';
        }
        if (kindSel) kindSel.addEventListener('change', sync);
        sync();

        const el = h('div', { class: 'form source-fields' },
            kindSel ? field('sources.field.kind', kindSel).wrap : h('p', { class: 'chips' }, h('span', { class: 'chip source-kind', i18n: 'sources.kind.' + s.kind })),
            field('sources.field.name', name).wrap,
            Object.values(parts),
            h('div', { class: 'pair' }, pollField.wrap, field('sources.field.lang', lang).wrap),
            targets.el,
            h('fieldset', { class: 'rules-set' }, h('legend', { i18n: 'sources.field.rules' }),
                auto.wrap, block.wrap, field('sources.field.cap', cap, { hintKey: 'sources.field.cap.hint' }).wrap),
            h('label', { class: 'check', htmlFor: enabled.id }, enabled, h('span', { i18n: 'sources.field.enabled' })));

        function value() {
            const k = kind();
            const b = {
                name: name.value.trim(),
                auto_approve: auto.input.checked,
                use_blocklist: block.input.checked,
                daily_cap: intOr(cap.value, 0),
                enabled: enabled.checked,
            };
            if (!src) b.kind = k;
            if (k === 'rss') b.url = normUrl(feed.value);
            else if (k === 'mastodon') {
                b.url = normUrl(instance.value);
                b.account = account.value.trim();
            } else if (k === 'bluesky') {
                b.url = normUrl(appview.value) || BLUESKY_APPVIEW;
                b.account = handle.value.trim().replace(/^@/, '');
            }
            if (k !== 'webhook') b.poll_minutes = intOr(poll.value, 15);
            if (lang.value) b.lang = lang.value;
            b.targets = targets.value();
            if (!b.targets.length) throw localError('targets.none');
            return b;
        }
        return { el, value, focus: kindSel || name };
    }

    function addSourceForm(reload) {
        const out = h('div', { class: 'source-add-out' });
        let fields = sourceFields(null);
        const submit = h('button', { type: 'submit', class: 'btn primary wide', i18n: 'sources.add.submit', testid: 'source-add-submit' });
        const form = h('form', { class: 'form', testid: 'source-add-form' }, fields.el, submit);
        const details = h('details', { class: 'card add-source', testid: 'source-add' }, h('summary', { i18n: 'sources.add', testid: 'source-add-open' }), form, out);
        form.addEventListener('submit', (ev) => {
            ev.preventDefault();
            busy(submit, async () => {
                const body = fields.value();
                const r = await api('POST', '/api/sources', body);
                toast(t('sources.add.done', { name: body.name }));
                const fresh = sourceFields(null);
                fields.el.replaceWith(fresh.el);
                fields = fresh;
                if (r.token) {
                    out.replaceChildren(webhookTokenBox(body.name, r.token));
                    out.querySelector('.secret-box').focus();
                } else out.replaceChildren();
                reload();
            });
        });
        return details;
    }

    function openSourceEdit(s, reload) {
        const f = sourceFields(s);
        sheet({
            title: t('sources.edit.title'),
            subtitle: s.name,
            testid: 'source-edit-sheet',
            confirmText: t('save'),
            confirmTestid: 'source-edit-save',
            focus: f.focus,
            body: [f.el],
            onConfirm: async () => {
                const b = f.value();
                await api('POST', '/api/sources/' + enc(s.id), b);
                toast(t('sources.edit.done', { name: b.name }));
                reload();
            },
        });
    }

    /* --- audit log --- */

    function viewAudit() {
        const csv = h('a', { class: 'btn small', href: '/api/audit.csv', download: 'signet-audit.csv', i18n: 'audit.csv', testid: 'audit-csv' });
        const { root } = viewRoot('audit.title', csv);
        const chain = h('p', { class: 'chain', testid: 'audit-chain', hidden: true });
        const tbody = h('tbody');
        const table = h('table', { class: 'audit stack', testid: 'audit-table', attrs: { 'aria-busy': 'true' } },
            h('thead', {}, h('tr', {}, ['at', 'actor', 'action', 'object', 'change', 'ip'].map((c) => h('th', { scope: 'col', i18n: 'audit.col.' + c })))),
            tbody);
        const more = button('audit.more', { testid: 'audit-more', hidden: true });
        const empty = h('p', { class: 'empty', i18n: 'audit.empty', hidden: true });
        root.append(chain, h('div', { class: 'table-wrap' }, table), empty, more);
        let before = 0;

        async function load() {
            table.setAttribute('aria-busy', 'true');
            try {
                const q = '/api/audit?limit=' + AUDIT_PAGE + (before ? '&before=' + enc(before) : '');
                const r = await api('GET', q);
                const rows = Array.isArray(r.rows) ? r.rows : [];
                chain.hidden = false;
                chain.className = 'chain ' + (r.chain_ok ? 'ok' : 'bad');
                chain.dataset.ok = r.chain_ok ? '1' : '0';
                chain.textContent = t(r.chain_ok ? 'audit.chain.ok' : 'audit.chain.bad');
                for (const row of rows) {
                    const change = [row.old, row.new].some((v) => v !== null && v !== undefined && v !== '')
                        ? String(row.old ?? '–') + ' → ' + String(row.new ?? '–') : '';
                    const cell = (col, text, cls) => h('td', { class: cls, text, i18nAttrs: { 'data-label': 'audit.col.' + col } });
                    tbody.appendChild(h('tr', { testid: 'audit-row', dataset: { id: row.id, action: row.action || '', object: row.object || '' } },
                        cell('at', fmtTime(row.at, true), 'nowrap'),
                        cell('actor', row.actor || ''),
                        cell('action', row.action || ''),
                        cell('object', row.object || '', 'break'),
                        cell('change', change, 'break'),
                        cell('ip', row.ip || '', 'nowrap')));
                }
                if (rows.length) before = rows[rows.length - 1].id;
                more.hidden = rows.length < AUDIT_PAGE;
                empty.hidden = tbody.childElementCount > 0;
            } catch (e) {
                showError(e);
            } finally {
                table.setAttribute('aria-busy', 'false');
            }
        }
        more.addEventListener('click', () => busy(more, load));
        load();
        return {};
    }

    /* --- users --- */

    function randomPassword() {
        /* 18 characters from 56 unambiguous ones: about 104 bits. */
        const alphabet = 'abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';
        const out = [];
        const buf = new Uint8Array(1);
        while (out.length < 18) {
            crypto.getRandomValues(buf);
            if (buf[0] < 224) out.push(alphabet[buf[0] % 56]); /* 224 = 4 * 56: no modulo bias */
        }
        return out.join('');
    }

    function roleSelect(value, testid) {
        const sel = h('select', { testid }, ['editor', 'approver', 'admin'].map((r) => option(r, 'role.' + r, r === value)));
        sel.value = value;
        return sel;
    }

    function viewUsers() {
        const { root } = viewRoot('users.title');
        const out = h('div');
        const tbody = h('tbody');
        const table = h('table', { class: 'users stack', testid: 'users-table' },
            h('thead', {}, h('tr', {}, ['name', 'role', 'status'].map((c) => h('th', { scope: 'col', i18n: 'users.col.' + c })),
                h('th', { scope: 'col' }, h('span', { class: 'sr-only', i18n: 'users.col.actions' })))),
            tbody);

        async function load() {
            try {
                const r = await api('GET', '/api/users');
                tbody.replaceChildren(...(r.users || []).map(userRow));
            } catch (e) {
                showError(e);
            }
        }

        function userRow(u) {
            const role = roleSelect(u.role, 'user-role');
            role.setAttribute('aria-label', t('users.col.role') + ': ' + u.name);
            role.addEventListener('change', () => busy(role, async () => {
                try {
                    await api('POST', '/api/users/' + enc(u.id), { role: role.value });
                    toast(t('users.role.changed', { name: u.name }));
                    u.role = role.value;
                } catch (e) {
                    role.value = u.role;
                    throw e;
                }
            }));
            const toggle = button(u.disabled ? 'users.enable' : 'users.disable', { class: 'btn small' + (u.disabled ? '' : ' danger-outline'), testid: 'user-toggle' });
            toggle.addEventListener('click', () => busy(toggle, async () => {
                await api('POST', '/api/users/' + enc(u.id), { disabled: !u.disabled });
                await load();
            }));
            const reset = button('users.resetpw', { class: 'btn small', testid: 'user-resetpw' });
            reset.addEventListener('click', async () => {
                const ok = await confirmSheet({ title: t('users.resetpw'), text: t('users.resetpw.confirm', { name: u.name }), confirmText: t('users.resetpw'), danger: true });
                if (!ok) return;
                await busy(reset, async () => {
                    const password = randomPassword();
                    await api('POST', '/api/users/' + enc(u.id), { password });
                    out.replaceChildren(secretBox(t('users.password.shown', { name: u.name }), password));
                });
            });
            const me = state.user && state.user.id === u.id;
            return h('tr', { testid: 'user-row', dataset: { userId: u.id, name: u.name } },
                h('td', { i18nAttrs: { 'data-label': 'users.col.name' } }, h('span', {}, h('strong', { text: u.name }), me ? h('span', { class: 'muted', text: ' ' + t('users.you') }) : null)),
                h('td', { i18nAttrs: { 'data-label': 'users.col.role' } }, role),
                h('td', { i18nAttrs: { 'data-label': 'users.col.status' }, i18n: u.disabled ? 'users.disabled' : 'users.active' }),
                h('td', {}, h('div', { class: 'row' }, toggle, reset)));
        }

        const name = h('input', { type: 'text', required: true, maxLength: MAX_NAME, autocapitalize: 'none', spellcheck: false, autocomplete: 'off', testid: 'user-add-name' });
        const role = roleSelect('editor', 'user-add-role');
        const pw = h('input', { type: 'text', minLength: MIN_PASSWORD_CHARS, autocomplete: 'new-password', spellcheck: false, testid: 'user-add-password' });
        const submit = h('button', { type: 'submit', class: 'btn primary', i18n: 'users.add.submit', testid: 'user-add-submit' });
        const form = h('form', { class: 'card form', testid: 'user-add-form' },
            h('h2', { i18n: 'users.add' }),
            field('users.col.name', name).wrap, field('users.col.role', role).wrap, field('users.add.password', pw, { optional: true }).wrap, submit);
        form.addEventListener('submit', (ev) => {
            ev.preventDefault();
            busy(submit, async () => {
                const body = { name: name.value.trim(), role: role.value };
                if (pw.value) {
                    if ([...pw.value].length < MIN_PASSWORD_CHARS) throw localError('account.short');
                    body.password = pw.value;
                }
                const r = await api('POST', '/api/users', body);
                form.reset();
                out.replaceChildren(r.password ? secretBox(t('users.password.shown', { name: body.name }), r.password) : '');
                await load();
            });
        });
        root.append(out, h('div', { class: 'table-wrap' }, table), form);
        load();
        return {};
    }

    /* --- settings --- */

    function viewSettings() {
        const { root } = viewRoot('settings.title');
        const s = state.settings || {};
        const fe = s.four_eyes || {};
        const boxes = KINDS.map((k) => h('input', { type: 'checkbox', value: k, checked: !!fe[k], id: uid('fe'), testid: 'settings-foureyes-' + k }));
        const days = h('input', { type: 'number', min: 1, max: 3650, step: 1, inputMode: 'numeric', value: String(s.approval_days || ''), required: true, testid: 'settings-days' });
        const clinic = h('input', { type: 'text', maxLength: 127, value: s.clinic || '', testid: 'settings-clinic' });
        const submit = h('button', { type: 'submit', class: 'btn primary', i18n: 'save', testid: 'settings-save' });
        const form = h('form', { class: 'card form', testid: 'settings-form' },
            h('fieldset', {}, h('legend', { i18n: 'settings.foureyes' }),
                boxes.map((b) => h('label', { class: 'check', htmlFor: b.id }, b, h('span', { i18n: 'kind.' + b.value })))),
            field('settings.days', days).wrap,
            field('settings.clinic', clinic).wrap,
            s.feed_lifetime_s ? h('p', { class: 'hint', text: t('settings.lifetime', { h: Math.round(s.feed_lifetime_s / 3600) }) }) : null,
            submit);
        form.addEventListener('submit', (ev) => {
            ev.preventDefault();
            busy(submit, async () => {
                const n = Number(days.value);
                const body = { four_eyes: {}, clinic: clinic.value.trim() };
                for (const b of boxes) body.four_eyes[b.value] = b.checked;
                if (Number.isInteger(n)) body.approval_days = n;
                const r = await api('POST', '/api/settings', body);
                setSettings(r.settings);
                toast(t('settings.done'));
            });
        });
        root.appendChild(form);
        return {};
    }

    /* --- account --- */

    function viewAccount() {
        const { root } = viewRoot('account.title');
        const u = state.user;
        const old = h('input', { type: 'password', required: true, autocomplete: 'current-password', testid: 'pw-old' });
        const nw = h('input', { type: 'password', required: true, minLength: MIN_PASSWORD_CHARS, autocomplete: 'new-password', testid: 'pw-new' });
        const rep = h('input', { type: 'password', required: true, minLength: MIN_PASSWORD_CHARS, autocomplete: 'new-password', testid: 'pw-repeat' });
        const submit = h('button', { type: 'submit', class: 'btn primary', i18n: 'account.password', testid: 'pw-submit' });
        const form = h('form', { class: 'card form', testid: 'password-form' },
            h('h2', { i18n: 'account.password' }),
            h('input', { type: 'text', name: 'username', autocomplete: 'username', value: u.name, hidden: true, readOnly: true }),
            field('account.old', old).wrap, field('account.new', nw).wrap, field('account.repeat', rep).wrap, submit);
        form.addEventListener('submit', (ev) => {
            ev.preventDefault();
            busy(submit, async () => {
                if ([...nw.value].length < MIN_PASSWORD_CHARS) throw localError('account.short');
                if (nw.value !== rep.value) throw localError('account.mismatch');
                await api('POST', '/api/password', { old: old.value, new: nw.value });
                form.reset();
                /* The server ends every session of the account with the old
                 * password, this one included: sign in again. */
                clearSession();
                state.loginNote = 'account.done';
                go('#/login', true);
            });
        });
        const logout = button('nav.logout', { class: 'btn wide', testid: 'account-logout' });
        logout.addEventListener('click', () => doLogout(logout));
        root.append(h('p', { text: t('account.who', { name: u.name, role: t('role.' + u.role) }) }), form, logout);
        return {};
    }

    async function doLogout(btn) {
        await busy(btn, async () => {
            try {
                await api('POST', '/api/logout', null, { allow401: true });
            } catch (e) {
                if (!(e instanceof ApiError && e.status === 401)) throw e;
            }
            clearSession();
            state.loginNote = 'logout.done';
            go('#/login', true);
        });
    }

    /* ---------- router ---------- */

    const VIEWS = {
        login: { render: viewLogin, role: null },
        queue: { render: viewQueue, role: 'editor' },
        onscreen: { render: viewOnscreen, role: 'editor' },
        compose: { render: () => viewCompose(null), role: 'editor' },
        sources: { render: viewSources, role: 'editor' },
        edit: { render: (arg) => viewCompose(arg), role: 'editor' },
        audit: { render: viewAudit, role: 'approver' },
        users: { render: viewUsers, role: 'admin' },
        settings: { render: viewSettings, role: 'admin' },
        account: { render: viewAccount, role: 'editor' },
    };

    function route() {
        for (const id of state.viewTimers) clearInterval(id);
        state.viewTimers = [];
        const m = /^#\/([a-z]+)(?:\/(.+))?$/.exec(location.hash);
        let name = m ? m[1] : '';
        let arg = null;
        if (m && m[2]) {
            try {
                arg = decodeURIComponent(m[2]);
            } catch (e) {
                arg = null;
            }
        }
        if (!Object.prototype.hasOwnProperty.call(VIEWS, name)) name = state.user ? 'queue' : 'login';
        if (!state.user && name !== 'login') {
            state.after = location.hash || null;
            history.replaceState(null, '', '#/login');
            name = 'login';
        }
        const v = VIEWS[name];
        if ((name === 'login' && state.user) || (v.role && !can(v.role))) {
            history.replaceState(null, '', '#/queue');
            name = 'queue';
        }
        if (name === 'edit' && !arg) name = 'compose';
        clearErrors();
        for (const a of document.querySelectorAll('#nav a')) {
            if (a.dataset.view === name || (name === 'edit' && a.dataset.view === 'compose')) {
                a.setAttribute('aria-current', 'page');
                a.scrollIntoView({ block: 'nearest', inline: 'nearest' });
            } else a.removeAttribute('aria-current');
        }
        const result = VIEWS[name].render(arg);
        state.view = result || null;
        const focus = result && result.focus ? result.focus : document.querySelector('#main h1');
        if (focus) focus.focus({ preventScroll: true });
        window.scrollTo(0, 0);
    }

    /* ---------- start ---------- */

    async function boot() {
        let lang = 'de';
        try {
            lang = localStorage.getItem(LANG_KEY) || 'de';
        } catch (e) {
            /* no storage: German */
        }
        setLang(lang);
        document.getElementById('lang-toggle').addEventListener('click', () => {
            setLang(state.lang === 'de' ? 'en' : 'de');
            /* Form views keep their typed input (labels switch in place);
             * the others re-render so dates and counts follow. */
            const m = /^#\/([a-z]+)/.exec(location.hash);
            if (state.user && !['compose', 'edit', 'users', 'settings', 'account'].includes(m ? m[1] : '')) route();
        });
        document.getElementById('logout').addEventListener('click', (ev) => doLogout(ev.currentTarget));
        document.getElementById('emergency-undo-banner').addEventListener('click', () => emergency(false));
        document.getElementById('skip').addEventListener('click', (ev) => {
            ev.preventDefault();
            document.getElementById('main').focus();
        });
        window.addEventListener('hashchange', route);
        document.addEventListener('visibilitychange', pollSettings);
        try {
            setSession(await api('GET', '/api/session', null, { allow401: true }));
        } catch (e) {
            if (!(e instanceof ApiError && e.status === 401)) showError(e);
        }
        route();
    }

    boot();
})();
