// i18n — the language of a page and its texts, French first, English second.
//
// The language comes from ?lang=, then the saved choice (localStorage), then
// navigator.language; French when nothing says English. Static texts live in the HTML
// (in French) and carry data-i18n="key" (text) or data-i18n-attr="attr:key;attr:key"
// (attributes); apply() replaces them from the dictionary below, so the dictionary is
// the one source of every text. Pages with texts built in JS listen for "langchange".

const dict = {
	fr: {
		'common.skip': 'Aller au contenu',
		'common.brand_tagline': 'Prise de rendez-vous en ligne',
		'common.lang_group': 'Langue',
		'common.nav': 'Navigation principale',
		'common.nav_plans': 'Tarifs',
		'common.nav_login': 'Se connecter',
		'common.nav_signup': 'Essai gratuit',
		'common.nav_office': 'Tableau de bord',
		'common.nav_profile': 'Mon profil',
		'common.logout': 'Se déconnecter',
		'common.footer': 'Créneau — prise de rendez-vous en ligne pour les petites entreprises.',
		'common.terms': 'Conditions générales',
		'common.dpa': 'Traitement des données',
		'common.loading': 'Chargement…',
		'common.save': 'Enregistrer',
		'common.saved': 'Modifications enregistrées.',
		'common.required': 'obligatoire',
		'common.optional': 'facultatif',
		'common.fix_errors': 'Le formulaire contient une erreur : {message}',

		'field.email': 'Adresse e-mail',
		'field.password': 'Mot de passe',
		'field.password_hint': 'Au moins 10 caractères. Évitez les mots de passe courants et votre adresse e-mail.',
		'field.password_confirm': 'Confirmez le mot de passe',
		'field.name': 'Votre nom',
		'field.business_name': 'Nom de l’entreprise',
		'field.business_type': 'Type d’activité',
		'field.business_type_choose': 'Choisissez…',
		'field.plan': 'Formule',
		'field.time_zone': 'Fuseau horaire',
		'field.locale': 'Langue des e-mails et de l’espace',
		'field.phone': 'Téléphone',
		'field.address': 'Adresse',
		'field.website': 'Site web',
		'field.current_password': 'Mot de passe actuel',
		'field.new_password': 'Nouveau mot de passe',

		'locale.fr': 'Français',
		'locale.en': 'Anglais',

		'btype.hair_salon': 'Salon de coiffure',
		'btype.beauty': 'Institut de beauté',
		'btype.physio': 'Kinésithérapeute',
		'btype.medical': 'Cabinet médical',
		'btype.garage': 'Garage',
		'btype.coach': 'Coach sportif',
		'btype.town_hall': 'Mairie',
		'btype.other': 'Autre activité',

		'tz.Europe/Paris': 'France métropolitaine (Paris)',
		'tz.Europe/Brussels': 'Belgique (Bruxelles)',
		'tz.Europe/Luxembourg': 'Luxembourg',
		'tz.Europe/Zurich': 'Suisse (Zurich)',
		'tz.Europe/Monaco': 'Monaco',
		'tz.Europe/London': 'Royaume-Uni (Londres)',
		'tz.Europe/Madrid': 'Espagne (Madrid)',
		'tz.Europe/Lisbon': 'Portugal (Lisbonne)',
		'tz.Europe/Berlin': 'Allemagne (Berlin)',
		'tz.Europe/Rome': 'Italie (Rome)',
		'tz.America/Guadeloupe': 'Guadeloupe',
		'tz.America/Martinique': 'Martinique',
		'tz.America/Cayenne': 'Guyane (Cayenne)',
		'tz.Indian/Reunion': 'La Réunion',
		'tz.Indian/Mayotte': 'Mayotte',
		'tz.Pacific/Noumea': 'Nouvelle-Calédonie (Nouméa)',
		'tz.Pacific/Tahiti': 'Polynésie française (Tahiti)',
		'tz.America/Toronto': 'Canada — Est (Toronto, Montréal)',
		'tz.Africa/Casablanca': 'Maroc (Casablanca)',
		'tz.Africa/Dakar': 'Sénégal (Dakar)',

		'plan.price': '{price} HT / mois',
		'plan.staff_one': '1 agenda',
		'plan.staff_many': '{n} agendas',
		'plan.staff_unlimited': 'Agendas illimités',
		'plan.email': 'Confirmations et rappels par e-mail',
		'plan.sms': '{n} SMS de rappel par mois',
		'plan.no_sms': 'Pas de rappels par SMS',
		'plan.branding': 'Page de réservation à vos couleurs (logo, couleurs, textes)',
		'plan.support': 'Réponse du support sous {n} h',
		'plan.choose': 'Essayer {name} gratuitement',
		'plan.recommended': 'Recommandé',
		'plan.load_failed': 'Les tarifs n’ont pas pu être chargés. Rechargez la page pour réessayer.',

		'home.title': 'Créneau — la prise de rendez-vous en ligne pour les petites entreprises',
		'home.h1': 'Vos clients réservent en ligne, 24 h/24',
		'home.lead': 'Salons de coiffure, kinésithérapeutes, garages, accueils de mairie : Créneau affiche vos disponibilités, prend les rendez-vous, envoie confirmations et rappels, et ne vend jamais deux fois le même créneau.',
		'home.cta': 'Commencer l’essai gratuit',
		'home.trial': 'Essai gratuit de 15 jours, sans carte bancaire.',
		'home.f1_title': 'Un agenda toujours juste',
		'home.f1': 'Horaires, congés, jours fériés et temps de pause : seuls les créneaux réellement libres sont proposés.',
		'home.f2_title': 'Moins de rendez-vous oubliés',
		'home.f2': 'Confirmation immédiate et rappels par e-mail, et par SMS avec les formules Pro et Optimum.',
		'home.f3_title': 'Vos données chez vous',
		'home.f3': 'Hébergement en France, export complet à tout moment, suppression sur simple demande.',
		'home.plans_h2': 'Tarifs',
		'home.plans_lead': 'Prix hors taxes, sans engagement. Changez de formule quand vous voulez.',

		'signup.title': 'Créer votre compte — Créneau',
		'signup.h1': 'Créer votre compte',
		'signup.lead': 'Essai gratuit de 15 jours, sans carte bancaire. Vous choisirez de vous abonner à la fin.',
		'signup.business_legend': 'Votre entreprise',
		'signup.account_legend': 'Votre accès',
		'signup.plan_legend': 'Formule',
		'signup.plan_note': 'Pendant l’essai, les SMS ne sont pas envoyés.',
		'signup.accept_terms': 'J’accepte les',
		'signup.accept_terms_link': 'conditions générales d’utilisation',
		'signup.accept_dpa': 'J’accepte l’',
		'signup.accept_dpa_link': 'accord de traitement des données (RGPD)',
		'signup.submit': 'Créer mon compte',
		'signup.have_account': 'Déjà un compte ?',
		'signup.login_link': 'Se connecter',
		'signup.must_accept': 'Vous devez accepter ce document pour continuer.',

		'login.title': 'Connexion — Créneau',
		'login.h1': 'Connexion',
		'login.submit': 'Se connecter',
		'login.forgot': 'Mot de passe oublié ?',
		'login.no_account': 'Pas encore de compte ?',
		'login.signup_link': 'Essayer gratuitement',

		'reset.title': 'Mot de passe oublié — Créneau',
		'reset.h1': 'Mot de passe oublié',
		'reset.lead': 'Indiquez l’adresse e-mail de votre compte : nous vous enverrons un lien pour choisir un nouveau mot de passe.',
		'reset.submit': 'Envoyer le lien',
		'reset.sent': 'Si un compte existe pour cette adresse, un e-mail a été envoyé. Le lien est valable pendant une durée limitée.',
		'reset.confirm_h1': 'Choisir un nouveau mot de passe',
		'reset.confirm_submit': 'Enregistrer le mot de passe',
		'reset.done': 'Votre mot de passe a été modifié. Vous pouvez maintenant vous connecter.',
		'reset.back_login': 'Retour à la connexion',

		'verify.title': 'Confirmation de l’adresse e-mail — Créneau',
		'verify.h1': 'Confirmation de votre adresse e-mail',
		'verify.working': 'Vérification en cours…',
		'verify.done': 'Merci : votre adresse e-mail est confirmée.',
		'verify.no_token': 'Ce lien est incomplet. Ouvrez le lien reçu par e-mail en entier, ou copiez-le dans la barre d’adresse.',
		'verify.to_office': 'Aller au tableau de bord',

		'invite.title': 'Rejoindre l’équipe — Créneau',
		'invite.h1': 'Rejoindre l’équipe',
		'invite.lead': 'Vous avez été invité à utiliser Créneau. Choisissez votre nom d’affichage et un mot de passe.',
		'invite.submit': 'Rejoindre',
		'invite.no_token': 'Ce lien d’invitation est incomplet. Ouvrez le lien reçu par e-mail en entier.',

		'office.title': 'Tableau de bord — Créneau',
		'office.h1': 'Tableau de bord',
		'office.plan': 'Formule',
		'office.state': 'État du compte',
		'office.trial_ends': 'Fin de l’essai gratuit',
		'office.trial_note': 'Votre essai gratuit se termine le {date}.',
		'office.signed_in_as': 'Connecté en tant que {email}',
		'office.profile_link': 'Mon profil et mon entreprise',
		'office.demo': 'Votre espace contient des données de démonstration, que vous pourrez effacer en une fois.',

		'state.trial': 'Essai gratuit',
		'state.active': 'Abonnement actif',
		'state.cancel_pending': 'Résiliation prévue en fin de mois',
		'state.frozen': 'Essai terminé : compte gelé',
		'state.read_only': 'Lecture seule',
		'state.deleting': 'Suppression en cours',
		'state.deleted': 'Supprimé',

		'profile.title': 'Mon profil — Créneau',
		'profile.h1': 'Mon profil',
		'profile.me_h2': 'Vos informations',
		'profile.password_h2': 'Changer de mot de passe',
		'profile.password_submit': 'Changer le mot de passe',
		'profile.password_done': 'Votre mot de passe a été modifié.',
		'profile.business_h2': 'Votre entreprise',
		'profile.danger_h2': 'Supprimer le compte',
		'profile.delete_link': 'Supprimer le compte et ses données',
		'profile.delete_note': 'La suppression en libre-service arrive bientôt. En attendant, écrivez au support : nous supprimons le compte à votre demande.',
		'profile.back': 'Retour au tableau de bord',

		'err.weak_password': 'Mot de passe trop faible : au moins 10 caractères, ni un mot de passe courant, ni votre adresse e-mail.',
		'err.email_taken': 'Un compte existe déjà avec cette adresse e-mail. Connectez-vous ou réinitialisez votre mot de passe.',
		'err.invalid_email': 'Cette adresse e-mail n’est pas valide.',
		'err.missing_field': 'Ce champ est obligatoire.',
		'err.invalid_timezone': 'Ce fuseau horaire n’est pas reconnu.',
		'err.invalid_field': 'Cette valeur n’est pas valide.',
		'err.rate_limited': 'Trop de tentatives. Réessayez dans quelques minutes.',
		'err.rate_limited_s': 'Trop de tentatives. Réessayez dans {n} s.',
		'err.bad_credentials': 'E-mail ou mot de passe incorrect.',
		'err.wrong_password': 'Le mot de passe actuel est incorrect.',
		'err.invalid_token': 'Ce lien n’est pas valide ou a déjà servi. Demandez-en un nouveau.',
		'err.token_expired': 'Ce lien a expiré. Demandez-en un nouveau.',
		'err.passwords_differ': 'Les deux mots de passe ne correspondent pas.',
		'err.network': 'Le serveur ne répond pas. Vérifiez votre connexion et réessayez.',
		'err.busy': 'Le service est très sollicité. Réessayez dans un instant.',
		'err.csrf_failed': 'Votre session a changé. Rechargez la page et réessayez.',
		'err.account_frozen': 'L’essai est terminé : abonnez-vous pour continuer à modifier votre compte.',
		'err.account_read_only': 'Le compte est en lecture seule.',
		'err.forbidden': 'Cette action est réservée au propriétaire du compte.',
		'err.invalid_credentials': 'E-mail ou mot de passe incorrect.',
		'err.invalid_locale': 'Cette langue n’est pas proposée.',
		'err.invalid_plan': 'Cette formule n’existe pas.',
		'err.terms_not_accepted': 'Vous devez accepter ce document pour continuer.',
		'err.unauthorized': 'Votre session a expiré. Connectez-vous de nouveau.',
		'err.plan_required': 'Votre formule ne comprend pas cette fonction.',
		'err.account_deleted': 'Ce compte a été supprimé.',
		'err.store_unavailable': 'Le service est momentanément indisponible. Réessayez dans un instant.',
		'err.unknown': 'Une erreur est survenue. Réessayez.',
	},
	en: {
		'common.skip': 'Skip to content',
		'common.brand_tagline': 'Online booking',
		'common.lang_group': 'Language',
		'common.nav': 'Main navigation',
		'common.nav_plans': 'Pricing',
		'common.nav_login': 'Log in',
		'common.nav_signup': 'Free trial',
		'common.nav_office': 'Dashboard',
		'common.nav_profile': 'My profile',
		'common.logout': 'Log out',
		'common.footer': 'Créneau — online booking for small businesses.',
		'common.terms': 'Terms of service',
		'common.dpa': 'Data processing',
		'common.loading': 'Loading…',
		'common.save': 'Save',
		'common.saved': 'Changes saved.',
		'common.required': 'required',
		'common.optional': 'optional',
		'common.fix_errors': 'The form has an error: {message}',

		'field.email': 'E-mail address',
		'field.password': 'Password',
		'field.password_hint': 'At least 10 characters. Avoid common passwords and your e-mail address.',
		'field.password_confirm': 'Confirm the password',
		'field.name': 'Your name',
		'field.business_name': 'Business name',
		'field.business_type': 'Type of business',
		'field.business_type_choose': 'Choose…',
		'field.plan': 'Plan',
		'field.time_zone': 'Time zone',
		'field.locale': 'Language of e-mails and back office',
		'field.phone': 'Phone',
		'field.address': 'Address',
		'field.website': 'Website',
		'field.current_password': 'Current password',
		'field.new_password': 'New password',

		'locale.fr': 'French',
		'locale.en': 'English',

		'btype.hair_salon': 'Hair salon',
		'btype.beauty': 'Beauty salon',
		'btype.physio': 'Physiotherapist',
		'btype.medical': 'Medical practice',
		'btype.garage': 'Garage',
		'btype.coach': 'Coach',
		'btype.town_hall': 'Town hall',
		'btype.other': 'Other',

		'tz.Europe/Paris': 'Metropolitan France (Paris)',
		'tz.Europe/Brussels': 'Belgium (Brussels)',
		'tz.Europe/Luxembourg': 'Luxembourg',
		'tz.Europe/Zurich': 'Switzerland (Zurich)',
		'tz.Europe/Monaco': 'Monaco',
		'tz.Europe/London': 'United Kingdom (London)',
		'tz.Europe/Madrid': 'Spain (Madrid)',
		'tz.Europe/Lisbon': 'Portugal (Lisbon)',
		'tz.Europe/Berlin': 'Germany (Berlin)',
		'tz.Europe/Rome': 'Italy (Rome)',
		'tz.America/Guadeloupe': 'Guadeloupe',
		'tz.America/Martinique': 'Martinique',
		'tz.America/Cayenne': 'French Guiana (Cayenne)',
		'tz.Indian/Reunion': 'Réunion',
		'tz.Indian/Mayotte': 'Mayotte',
		'tz.Pacific/Noumea': 'New Caledonia (Nouméa)',
		'tz.Pacific/Tahiti': 'French Polynesia (Tahiti)',
		'tz.America/Toronto': 'Canada — Eastern (Toronto, Montréal)',
		'tz.Africa/Casablanca': 'Morocco (Casablanca)',
		'tz.Africa/Dakar': 'Senegal (Dakar)',

		'plan.price': '{price} excl. VAT / month',
		'plan.staff_one': '1 staff calendar',
		'plan.staff_many': '{n} staff calendars',
		'plan.staff_unlimited': 'Unlimited staff calendars',
		'plan.email': 'E-mail confirmations and reminders',
		'plan.sms': '{n} SMS reminders per month',
		'plan.no_sms': 'No SMS reminders',
		'plan.branding': 'Booking page in your colours (logo, colours, texts)',
		'plan.support': 'Support answers within {n} h',
		'plan.choose': 'Try {name} for free',
		'plan.recommended': 'Recommended',
		'plan.load_failed': 'The prices could not be loaded. Reload the page to try again.',

		'home.title': 'Créneau — online booking for small businesses',
		'home.h1': 'Your clients book online, day and night',
		'home.lead': 'Hair salons, physiotherapists, garages, town hall desks: Créneau shows your availability, takes the bookings, sends confirmations and reminders, and never sells the same slot twice.',
		'home.cta': 'Start the free trial',
		'home.trial': '15-day free trial, no card needed.',
		'home.f1_title': 'A calendar that is always right',
		'home.f1': 'Opening hours, leave, public holidays and breaks: only slots that are really free are offered.',
		'home.f2_title': 'Fewer missed appointments',
		'home.f2': 'Instant confirmation and reminders by e-mail, and by SMS with the Pro and Optimum plans.',
		'home.f3_title': 'Your data stays yours',
		'home.f3': 'Hosted in France, full export at any time, deletion on request.',
		'home.plans_h2': 'Pricing',
		'home.plans_lead': 'Prices exclude VAT, no commitment. Change plans whenever you like.',

		'signup.title': 'Create your account — Créneau',
		'signup.h1': 'Create your account',
		'signup.lead': '15-day free trial, no card needed. You decide whether to subscribe at the end.',
		'signup.business_legend': 'Your business',
		'signup.account_legend': 'Your log-in',
		'signup.plan_legend': 'Plan',
		'signup.plan_note': 'No SMS are sent during the trial.',
		'signup.accept_terms': 'I accept the',
		'signup.accept_terms_link': 'terms of service',
		'signup.accept_dpa': 'I accept the',
		'signup.accept_dpa_link': 'data processing agreement (GDPR)',
		'signup.submit': 'Create my account',
		'signup.have_account': 'Already have an account?',
		'signup.login_link': 'Log in',
		'signup.must_accept': 'You must accept this document to continue.',

		'login.title': 'Log in — Créneau',
		'login.h1': 'Log in',
		'login.submit': 'Log in',
		'login.forgot': 'Forgot your password?',
		'login.no_account': 'No account yet?',
		'login.signup_link': 'Try it for free',

		'reset.title': 'Forgotten password — Créneau',
		'reset.h1': 'Forgotten password',
		'reset.lead': 'Enter your account’s e-mail address: we will send you a link to choose a new password.',
		'reset.submit': 'Send the link',
		'reset.sent': 'If an account exists for this address, an e-mail has been sent. The link is valid for a limited time.',
		'reset.confirm_h1': 'Choose a new password',
		'reset.confirm_submit': 'Save the password',
		'reset.done': 'Your password has been changed. You can now log in.',
		'reset.back_login': 'Back to log-in',

		'verify.title': 'E-mail confirmation — Créneau',
		'verify.h1': 'Confirming your e-mail address',
		'verify.working': 'Checking…',
		'verify.done': 'Thank you: your e-mail address is confirmed.',
		'verify.no_token': 'This link is incomplete. Open the whole link from the e-mail, or paste it into the address bar.',
		'verify.to_office': 'Go to the dashboard',

		'invite.title': 'Join the team — Créneau',
		'invite.h1': 'Join the team',
		'invite.lead': 'You have been invited to use Créneau. Choose your display name and a password.',
		'invite.submit': 'Join',
		'invite.no_token': 'This invitation link is incomplete. Open the whole link from the e-mail.',

		'office.title': 'Dashboard — Créneau',
		'office.h1': 'Dashboard',
		'office.plan': 'Plan',
		'office.state': 'Account status',
		'office.trial_ends': 'Free trial ends',
		'office.trial_note': 'Your free trial ends on {date}.',
		'office.signed_in_as': 'Logged in as {email}',
		'office.profile_link': 'My profile and my business',
		'office.demo': 'Your space holds demo data, which you can clear in one go.',

		'state.trial': 'Free trial',
		'state.active': 'Active subscription',
		'state.cancel_pending': 'Cancellation at the end of the month',
		'state.frozen': 'Trial over: account frozen',
		'state.read_only': 'Read-only',
		'state.deleting': 'Being deleted',
		'state.deleted': 'Deleted',

		'profile.title': 'My profile — Créneau',
		'profile.h1': 'My profile',
		'profile.me_h2': 'About you',
		'profile.password_h2': 'Change password',
		'profile.password_submit': 'Change the password',
		'profile.password_done': 'Your password has been changed.',
		'profile.business_h2': 'Your business',
		'profile.danger_h2': 'Delete the account',
		'profile.delete_link': 'Delete the account and its data',
		'profile.delete_note': 'Self-service deletion is coming soon. Until then, write to support: we delete the account on request.',
		'profile.back': 'Back to the dashboard',

		'err.weak_password': 'Password too weak: at least 10 characters, not a common password, not your e-mail address.',
		'err.email_taken': 'An account already uses this e-mail address. Log in or reset your password.',
		'err.invalid_email': 'This e-mail address is not valid.',
		'err.missing_field': 'This field is required.',
		'err.invalid_timezone': 'This time zone is not recognised.',
		'err.invalid_field': 'This value is not valid.',
		'err.rate_limited': 'Too many attempts. Try again in a few minutes.',
		'err.rate_limited_s': 'Too many attempts. Try again in {n} s.',
		'err.bad_credentials': 'Wrong e-mail or password.',
		'err.wrong_password': 'The current password is wrong.',
		'err.invalid_token': 'This link is not valid or has already been used. Ask for a new one.',
		'err.token_expired': 'This link has expired. Ask for a new one.',
		'err.passwords_differ': 'The two passwords do not match.',
		'err.network': 'The server does not answer. Check your connection and try again.',
		'err.busy': 'The service is very busy. Try again in a moment.',
		'err.csrf_failed': 'Your session changed. Reload the page and try again.',
		'err.account_frozen': 'The trial is over: subscribe to go on changing your account.',
		'err.account_read_only': 'The account is read-only.',
		'err.forbidden': 'Only the account owner may do this.',
		'err.invalid_credentials': 'Wrong e-mail or password.',
		'err.invalid_locale': 'This language is not offered.',
		'err.invalid_plan': 'This plan does not exist.',
		'err.terms_not_accepted': 'You must accept this document to continue.',
		'err.unauthorized': 'Your session has expired. Please log in again.',
		'err.plan_required': 'Your plan does not include this feature.',
		'err.account_deleted': 'This account has been deleted.',
		'err.store_unavailable': 'The service is briefly unavailable. Try again in a moment.',
		'err.unknown': 'Something went wrong. Please try again.',
	},
};

export const LANGS = ['fr', 'en'];
const STORE_KEY = 'creneau.lang';
let current = 'fr';
let explicit = false; // true when ?lang= or a saved choice decided

function saved() {
	try {
		return localStorage.getItem(STORE_KEY);
	} catch {
		return null;
	}
}

function save(l) {
	try {
		localStorage.setItem(STORE_KEY, l);
	} catch {
		/* private mode: the choice lasts for this page only */
	}
}

/* The language the page should use, and whether the visitor chose it. */
export function detect() {
	const param = new URLSearchParams(location.search).get('lang');
	if (LANGS.includes(param)) {
		save(param);
		return { lang: param, explicit: true };
	}
	const s = saved();
	if (LANGS.includes(s))
		return { lang: s, explicit: true };
	const nav = (navigator.languages && navigator.languages[0]) || navigator.language || 'fr';
	return { lang: nav.toLowerCase().startsWith('en') ? 'en' : 'fr', explicit: false };
}

export function lang() {
	return current;
}

/* True when ?lang= or a saved choice set the language (a user's locale may not override it). */
export function chosen() {
	return explicit;
}

/* The text of key in the current language with {name} replaced from vars; the key itself
 * when missing (so a forgotten text shows up in tests rather than as a blank). */
export function t(key, vars) {
	let s = dict[current][key] ?? dict.fr[key] ?? key;
	if (vars)
		s = s.replace(/\{(\w+)\}/g, (m, k) => (k in vars ? String(vars[k]) : m));
	return s;
}

export function has(key) {
	return key in dict[current] || key in dict.fr;
}

/* BCP 47 tag for Intl formatting in the current language. */
export function intlLocale() {
	return current === 'en' ? 'en-GB' : 'fr-FR';
}

/* Replaces the marked texts and attributes under root. */
export function apply(root = document) {
	for (const el of root.querySelectorAll('[data-i18n]'))
		el.textContent = t(el.dataset.i18n);
	for (const el of root.querySelectorAll('[data-i18n-attr]')) {
		for (const pair of el.dataset.i18nAttr.split(';')) {
			const [attr, key] = pair.split(':');
			if (attr && key)
				el.setAttribute(attr.trim(), t(key.trim()));
		}
	}
	for (const b of root.querySelectorAll('[data-set-lang]'))
		b.setAttribute('aria-pressed', String(b.dataset.setLang === current));
}

/* Switches the page to l, optionally remembering the choice, and tells the page. */
export function setLang(l, remember = true) {
	if (!LANGS.includes(l))
		return;
	current = l;
	if (remember) {
		explicit = true;
		save(l);
	}
	document.documentElement.lang = l;
	apply();
	document.dispatchEvent(new CustomEvent('langchange', { detail: { lang: l } }));
}

/* Call once per page: detects the language, translates, wires the language buttons. */
export function init() {
	const d = detect();
	current = d.lang;
	explicit = d.explicit;
	document.documentElement.lang = current;
	apply();
	for (const b of document.querySelectorAll('[data-set-lang]'))
		b.addEventListener('click', () => setLang(b.dataset.setLang));
	return current;
}

/* The dictionary, for tests that check both languages have the same keys. */
export const dictionary = dict;
