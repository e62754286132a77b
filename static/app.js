/*
 * Hub Admin — app.js. Progressive enhancement only: every page works without it.
 * Loaded as an external file (the CSP forbids inline scripts); uses no eval, so it
 * works with htmx configured allowEval:false. It only listens to events on
 * document, so it does not matter whether it loads before or after htmx.
 */
(function () {
  "use strict";

  // (a) CSRF: send the token from <meta name="csrf-token"> with every htmx request.
  // The meta tag is read on each request so a rotated token is picked up.
  document.addEventListener("htmx:configRequest", function (evt) {
    var meta = document.querySelector('meta[name="csrf-token"]');
    var token = meta && meta.getAttribute("content");
    if (token && evt.detail && evt.detail.headers) {
      evt.detail.headers["X-CSRF-Token"] = token;
    }
  });

  // (b) Keep keyboard focus after htmx swaps.
  // Priority: [data-focus], then [role=alert], then [role=status] inside the new content
  // (visible, non-empty ones only). Otherwise, if the element that had focus was removed
  // and focus fell back to <body>, focus the swap target (or what replaced it).
  var FOCUS_ORDER = ["[data-focus]", '[role="alert"]', '[role="status"]'];
  var lastFocused = null;
  var swapTarget = null;
  var swapped = [];
  var scheduled = false;

  function usable(el) {
    return el.isConnected && el.getClientRects().length > 0 &&
      (el.hasAttribute("data-focus") || el.textContent.trim() !== "");
  }

  function findIn(roots, selector) {
    for (var i = 0; i < roots.length; i++) {
      var root = roots[i];
      if (root.matches && root.matches(selector) && usable(root)) return root;
      if (!root.querySelectorAll) continue;
      var list = root.querySelectorAll(selector);
      for (var j = 0; j < list.length; j++) {
        if (usable(list[j])) return list[j];
      }
    }
    return null;
  }

  function isEditable(el) {
    if (el.isContentEditable || el instanceof HTMLTextAreaElement || el instanceof HTMLSelectElement) return true;
    return el instanceof HTMLInputElement &&
      !/^(button|submit|reset|image|checkbox|radio|file|color|range)$/.test(el.type);
  }

  function focusElement(el) {
    if (el === document.body) {
      el = document.querySelector("main") || el;
    }
    if (el.tabIndex < 0 && !el.hasAttribute("tabindex")) {
      el.setAttribute("tabindex", "-1");
    }
    el.focus();
  }

  function focusAfterSwap() {
    scheduled = false;
    var roots = swapped.filter(function (el) { return el.isConnected; });
    var target = swapTarget;
    var previous = lastFocused;
    swapped = [];
    swapTarget = null;
    lastFocused = null;

    var active = document.activeElement;
    var lost = !active || active === document.body;
    // Someone typing in a field outside the new content (live search, filters) keeps
    // focus; role=status/alert regions are announced by screen readers anyway.
    var typing = !lost && isEditable(active) &&
      !roots.some(function (root) { return root.contains(active); });
    var order = typing ? FOCUS_ORDER.slice(0, 1) : FOCUS_ORDER;
    for (var i = 0; i < order.length; i++) {
      var found = findIn(roots, order[i]);
      if (found) {
        focusElement(found);
        return;
      }
    }
    if (previous && previous !== document.body && !previous.isConnected && lost) {
      var fallback = (target && target.isConnected) ? target : roots[0];
      if (fallback) focusElement(fallback);
    }
  }

  // beforeSwap fires on the target just before htmx replaces content: remember
  // what had focus. A later swap simply overwrites these (cancelled swaps leave no stale state).
  document.addEventListener("htmx:beforeSwap", function (evt) {
    lastFocused = document.activeElement;
    swapTarget = (evt.detail && evt.detail.target) || evt.target;
  });

  function collect(evt) {
    if (evt.target instanceof Element && swapped.indexOf(evt.target) < 0) {
      swapped.push(evt.target);
    }
    if (swapTarget === null && evt.detail && evt.detail.target) {
      swapTarget = evt.detail.target;
    }
  }

  document.addEventListener("htmx:afterSwap", collect);
  document.addEventListener("htmx:afterSettle", function (evt) {
    collect(evt);
    // htmx fires afterSettle once per swapped element, synchronously; act once after all.
    if (!scheduled) {
      scheduled = true;
      window.setTimeout(focusAfterSwap, 0);
    }
  });

  // (c) data-confirm="text" on a form, or on a submit button, link or htmx trigger.
  // The server confirms destructive actions too; this only saves a round trip.
  function hasHtmxRequest(el) {
    var verbs = ["get", "post", "put", "patch", "delete"];
    for (var i = 0; i < verbs.length; i++) {
      if (el.hasAttribute("hx-" + verbs[i]) || el.hasAttribute("data-hx-" + verbs[i])) return true;
    }
    return false;
  }

  function cancel(evt) {
    evt.preventDefault();
    evt.stopImmediatePropagation();
  }

  // Capture phase on document runs before htmx's own listeners on the element,
  // so stopping the event here also stops the htmx request.
  document.addEventListener("submit", function (evt) {
    var form = evt.target;
    if (!(form instanceof HTMLFormElement)) return;
    var submitter = evt.submitter;
    var text = (submitter && submitter.getAttribute("data-confirm")) || form.getAttribute("data-confirm");
    if (text && !window.confirm(text)) cancel(evt);
  }, true);

  document.addEventListener("click", function (evt) {
    if (!(evt.target instanceof Element)) return;
    var el = evt.target.closest("a[data-confirm], button[data-confirm], input[data-confirm]");
    if (!el) return;
    // A plain submit button is handled by the submit listener (evt.submitter),
    // so that pressing Enter in a field asks too. htmx triggers fire on click.
    var submits = el.form && (el.type === "submit" || el.type === "image");
    if (submits && !hasHtmxRequest(el)) return;
    if (!window.confirm(el.getAttribute("data-confirm"))) cancel(evt);
  }, true);

  // (d) The shell (issue 13). Each is an enhancement: without it the page still works.
  function enhance() {
    // Browsers without ::details-content keep a closed <details> shut even on a wide screen:
    // open the navigation rail there.
    var rail = document.getElementById("rail");
    if (rail && !rail.open && !CSS.supports("selector(::details-content)") &&
        window.matchMedia("(min-width: 56.3rem)").matches) {
      rail.open = true;
    }
    // Table cells without their column's name get it from the header, for the phone cards.
    document.querySelectorAll("table.data").forEach(function (table) {
      var heads = table.querySelectorAll("thead th");
      if (!heads.length) return;
      table.querySelectorAll("tbody tr").forEach(function (tr) {
        Array.prototype.forEach.call(tr.children, function (cell, i) {
          if (!cell.hasAttribute("data-label") && heads[i] && i > 0) {
            cell.setAttribute("data-label", heads[i].textContent.replace(/\s+/g, " ").trim());
          }
        });
      });
    });
    // Offer this browser's time zone in the profile menu when the list lacks it.
    var zone = document.getElementById("pref-tz");
    var browserZone = window.Intl && Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (zone && browserZone && !zone.querySelector('option[value="' + browserZone.replace(/"/g, "") + '"]')) {
      var opt = document.createElement("option");
      opt.value = browserZone;
      opt.textContent = (zone.getAttribute("data-browser-zone-label") || "%ZONE%").replace("%ZONE%", browserZone);
      zone.insertBefore(opt, zone.options[1] || null);
    }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", enhance);
  } else {
    enhance();
  }
  document.addEventListener("htmx:afterSettle", enhance);
})();
