// Night mode and phone width for the preview, kept across pages (localStorage works on file://).
(function () {
  'use strict';
  var KEY = 'mdanki-preview';
  var state = {};
  try { state = JSON.parse(localStorage.getItem(KEY)) || {}; } catch (e) { state = {}; }

  function apply() {
    // as Anki's reviewer: <body class="card nightMode">
    document.body.classList.toggle('nightMode', !!state.night);
    document.documentElement.classList.toggle('pv-phone', !!state.phone);
    var boxes = document.querySelectorAll('input[data-switch]');
    for (var i = 0; i < boxes.length; i++) { boxes[i].checked = !!state[boxes[i].dataset.switch]; }
  }

  function set(name, on) {
    state[name] = !!on;
    try { localStorage.setItem(KEY, JSON.stringify(state)); } catch (e) { /* private mode: no memory */ }
    apply();
  }

  document.addEventListener('change', function (event) {
    var box = event.target;
    if (box && box.dataset && box.dataset.switch) { set(box.dataset.switch, box.checked); }
  });
  // a tag link opens that tag's list on the index
  function openTarget() {
    var target = location.hash && document.getElementById(decodeURIComponent(location.hash.slice(1)));
    if (target && target.tagName === 'DETAILS') { target.open = true; target.scrollIntoView(); }
  }
  window.addEventListener('hashchange', openTarget);
  document.addEventListener('DOMContentLoaded', function () { apply(); openTarget(); });
  window.mdankiPreview = { restore: apply, set: set };
})();
