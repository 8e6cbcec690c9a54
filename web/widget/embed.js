/* Créneau booking widget loader. On any web site:
 *   <script src="https://HOST/widget/embed.js" data-creneau="SLUG" async></script>
 * puts the booking flow of SLUG in an iframe right after the tag, from the same origin as this
 * script, and sets the iframe's height from the {type: "creneau:height", height} messages the
 * framed page posts (only messages from that origin and that iframe are heeded). */
(function () {
	'use strict';
	var MAX = 20000;
	function mount(script) {
		if (script.getAttribute('data-creneau-mounted'))
			return;
		var slug = script.getAttribute('data-creneau');
		if (!slug)
			return;
		var origin;
		try {
			origin = new URL(script.src, document.baseURI).origin;
		} catch (e) {
			return;
		}
		script.setAttribute('data-creneau-mounted', '1');
		var frame = document.createElement('iframe');
		var lang = script.getAttribute('data-lang');
		frame.src = origin + '/widget/b/' + encodeURIComponent(slug) + (lang ? '?lang=' + encodeURIComponent(lang) : '');
		frame.title = script.getAttribute('data-title') || 'Prise de rendez-vous en ligne';
		frame.setAttribute('loading', 'lazy');
		frame.style.width = '100%';
		frame.style.minHeight = '420px';
		frame.style.height = '640px';
		frame.style.border = '0';
		frame.style.display = 'block';
		script.parentNode.insertBefore(frame, script.nextSibling);
		window.addEventListener('message', function (ev) {
			if (ev.origin !== origin || ev.source !== frame.contentWindow)
				return;
			var d = ev.data;
			if (!d || d.type !== 'creneau:height')
				return;
			var h = Number(d.height);
			if (!isFinite(h) || h <= 0)
				return;
			frame.style.minHeight = '0';
			frame.style.height = Math.min(Math.ceil(h), MAX) + 'px';
		});
	}
	var list = document.querySelectorAll('script[data-creneau]');
	for (var i = 0; i < list.length; i++)
		mount(list[i]);
})();
