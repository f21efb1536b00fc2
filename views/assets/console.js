// pgtrail console: the little behaviour that is not htmx. No inline scripts anywhere (the CSP
// allows only this file and htmx); everything works without it, just less conveniently.
(function () {
  'use strict';

  // Times are rendered in UTC by the server; show the viewer's local time beside them.
  function localTimes(root) {
    root.querySelectorAll('[data-local]').forEach(function (el) {
      var d = new Date(el.getAttribute('data-local'));
      if (isNaN(d.getTime())) return;
      el.textContent = '(' + d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium' }) + ' your time)';
    });
    root.querySelectorAll('td.time time').forEach(function (el) {
      var d = new Date(el.getAttribute('datetime'));
      if (!isNaN(d.getTime())) el.title = d.toLocaleString() + ' (your time)';
    });
  }

  document.addEventListener('DOMContentLoaded', function () { localTimes(document); });
  document.addEventListener('htmx:afterSwap', function (e) { localTimes(e.target); });

  // `/` focuses the search box (unless you are typing somewhere); Escape leaves it.
  document.addEventListener('keydown', function (e) {
    var t = e.target;
    var typing = t && (t.tagName === 'INPUT' || t.tagName === 'TEXTAREA' || t.tagName === 'SELECT' || t.isContentEditable);
    if (e.key === '/' && !typing && !e.ctrlKey && !e.metaKey && !e.altKey) {
      var q = document.getElementById('f-q');
      if (q) { e.preventDefault(); q.focus(); q.select(); }
    } else if (e.key === 'Escape' && t && t.id === 'f-q') {
      t.blur();
    }
  });

  // A relative window and a `from` time exclude each other: picking one clears the other.
  document.addEventListener('input', function (e) {
    var form = document.getElementById('filters');
    if (!form || !form.contains(e.target)) return;
    if (e.target.name === 'from' && e.target.value.trim() !== '') {
      var any = form.querySelector('input[name=window][value=""]');
      if (any) any.checked = true;
    }
  });
  document.addEventListener('change', function (e) {
    var form = document.getElementById('filters');
    if (!form || !form.contains(e.target)) return;
    if (e.target.name === 'window' && e.target.value !== '') {
      var from = form.querySelector('input[name=from]');
      if (from) from.value = '';
    }
  });

  // Leave empty fields out of htmx requests, so pushed URLs stay short and shareable.
  document.addEventListener('htmx:configRequest', function (e) {
    var params = e.detail.parameters;
    if (!params || typeof params.forEach !== 'function') return;
    var empty = [];
    params.forEach(function (value, key) { if (typeof value === 'string' && value.trim() === '' && empty.indexOf(key) < 0) empty.push(key); });
    empty.forEach(function (key) {
      var kept = params.getAll(key).filter(function (v) { return typeof v !== 'string' || v.trim() !== ''; });
      params.delete(key);
      kept.forEach(function (v) { params.append(key, v); });
    });
  });

  // Ask before destructive buttons (data-confirm), without inline handlers.
  document.addEventListener('submit', function (e) {
    var button = e.submitter || e.target.querySelector('[data-confirm]');
    var message = button && button.getAttribute && button.getAttribute('data-confirm');
    if (message && !window.confirm(message)) e.preventDefault();
  });
})();
