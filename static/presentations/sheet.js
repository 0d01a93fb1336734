/* The expert's presentation sheet on the phone.
 *
 * The typed sheet is kept in localStorage (per room, team and sheet version) from the first
 * keystroke. Submitting sends it once with its client key; if the phone is offline or the
 * request fails, the sheet stays marked "pending" and is sent again when the connection returns
 * (the `online` event) and on a timer. The server stores a key once, so sending again is safe.
 * Every visible text comes from the page (data-* attributes), already translated.
 */
(function () {
  "use strict";

  var PREFIX = "banzu.sheet.";
  var RETRY_MS = 5000;
  var page = document.querySelector("[data-score-page]");
  if (!page) {
    return;
  }
  var texts = page.dataset;
  var roomPrefix = PREFIX + texts.room + ".";
  var form = document.getElementById("score-form");
  var stateBox = document.getElementById("score-state");
  var sending = {};
  var timer = null;

  function uuid4() {
    // crypto.randomUUID needs a secure context; the venue may serve plain HTTP.
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map
      .call(bytes, function (b) {
        return (b + 0x100).toString(16).slice(1);
      })
      .join("");
    return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20)].join("-");
  }

  function load(key) {
    try {
      return JSON.parse(window.localStorage.getItem(key) || "null");
    } catch (e) {
      return null;
    }
  }

  function save(key, value) {
    try {
      window.localStorage.setItem(key, JSON.stringify(value));
    } catch (e) {
      /* private mode or full: the sheet still goes out now */
    }
  }

  function drop(key) {
    try {
      window.localStorage.removeItem(key);
    } catch (e) {
      /* nothing to do */
    }
  }

  function pendingKeys() {
    var keys = [];
    for (var i = 0; i < window.localStorage.length; i++) {
      var key = window.localStorage.key(i);
      if (key && key.indexOf(roomPrefix) === 0) {
        var rec = load(key);
        if (rec && rec.pending) {
          keys.push(key);
        }
      }
    }
    return keys;
  }

  function csrfToken() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function say(text, kind) {
    if (!stateBox) {
      return;
    }
    stateBox.textContent = text;
    stateBox.className = "score-state score-state-" + kind;
    stateBox.hidden = !text;
  }

  // --- The sheet on screen ----------------------------------------------------------------

  var storageKey = form ? form.dataset.storage : null;
  var record = storageKey ? load(storageKey) : null;
  var inputs = form ? Array.prototype.slice.call(form.querySelectorAll(".step-value")) : [];
  var comment = form ? form.querySelector("textarea[name=comment]") : null;

  function positionOf(input) {
    return input.closest(".score-item").dataset.position;
  }

  function maxOf(input) {
    return Number(input.closest(".score-item").dataset.max);
  }

  function parsePoints(text) {
    var clean = String(text || "").replace(",", ".").trim();
    if (clean === "") {
      return null;
    }
    var value = Number(clean);
    return isNaN(value) ? NaN : value;
  }

  function itemProblem(input) {
    var value = parsePoints(input.value);
    if (value === null) {
      return texts.missing;
    }
    if (isNaN(value) || value < 0 || value * 2 !== Math.round(value * 2)) {
      return texts.step;
    }
    if (value > maxOf(input)) {
      return texts.over.replace("{max}", String(maxOf(input)));
    }
    return "";
  }

  function showItemError(input, message) {
    var box = document.getElementById(input.id + "_error");
    input.closest(".score-item").classList.toggle("has-error", !!message);
    if (box) {
      box.textContent = message || "";
      box.hidden = !message;
    }
  }

  function updateTotal() {
    var total = 0;
    inputs.forEach(function (input) {
      var value = parsePoints(input.value);
      if (value !== null && !isNaN(value)) {
        total += value;
      }
    });
    var out = document.getElementById("score-total");
    if (out) {
      out.textContent = String(Math.round(total * 10) / 10);
    }
  }

  function remember() {
    if (!record || record.pending) {
      return;
    }
    record.points = {};
    inputs.forEach(function (input) {
      record.points[positionOf(input)] = input.value.trim();
    });
    record.comment = comment ? comment.value : "";
    save(storageKey, record);
  }

  function dirty() {
    if (!form || (record && record.pending)) {
      return false;
    }
    return inputs.some(function (input) {
      return input.value.trim() !== "";
    });
  }

  function lock(locked) {
    inputs.forEach(function (input) {
      input.readOnly = locked;
    });
    if (comment) {
      comment.readOnly = locked;
    }
    form.querySelectorAll("button").forEach(function (button) {
      button.disabled = locked;
    });
  }

  if (form) {
    if (!record) {
      record = {
        key: uuid4(),
        url: form.action,
        slot: form.dataset.slot,
        page: form.dataset.pageUrl,
        points: {},
        comment: "",
        pending: false,
      };
    }
    form.elements.client_key.value = record.key;
    // Values the server rendered (a refused form post) win over the phone's copy.
    inputs.forEach(function (input) {
      var kept = record.points[positionOf(input)];
      if (input.value === "" && kept) {
        input.value = kept;
      }
    });
    if (comment && comment.value === "" && record.comment) {
      comment.value = record.comment;
    }
    save(storageKey, record);
    updateTotal();

    form.querySelectorAll(".step").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () {
        var input = button.parentNode.querySelector(".step-value");
        var value = parsePoints(input.value);
        var next = (value === null || isNaN(value) ? 0 : Math.round(value * 2) / 2) + Number(button.dataset.step);
        next = Math.min(Math.max(next, 0), Math.floor(maxOf(input) * 2) / 2);
        input.value = String(next);
        showItemError(input, "");
        updateTotal();
        remember();
      });
    });
    form.addEventListener("input", function () {
      updateTotal();
      remember();
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var problems = 0;
      inputs.forEach(function (input) {
        var problem = itemProblem(input);
        showItemError(input, problem);
        problems += problem ? 1 : 0;
      });
      if (problems) {
        say(texts.check, "error");
        return;
      }
      remember();
      record.pending = true;
      save(storageKey, record);
      lock(true);
      say(texts.sending, "sending");
      send(storageKey);
    });
    if (record.pending) {
      lock(true);
      say(texts.pending, "pending");
    }
  }

  // --- Sending, and sending again -----------------------------------------------------------

  function body(rec) {
    return JSON.stringify({
      slot: Number(rec.slot),
      items: Object.keys(rec.points).map(function (position) {
        return { position: Number(position), points: rec.points[position] };
      }),
      comment: rec.comment,
      client_key: rec.key,
    });
  }

  function refused(key, answer) {
    var rec = load(key);
    if (rec) {
      rec.pending = false;
      save(key, rec);
    }
    if (key !== storageKey) {
      return;
    }
    record.pending = false;
    lock(false);
    var errors = (answer && answer.field_errors) || {};
    inputs.forEach(function (input) {
      showItemError(input, errors[positionOf(input)] || "");
    });
    say((answer && answer.error) || texts.refused, "error");
  }

  function notReceived(key) {
    if (key === storageKey) {
      say(texts.pending, "pending");
    }
    schedule();
  }

  function send(key) {
    var rec = load(key);
    if (!rec || !rec.pending || sending[key]) {
      return;
    }
    sending[key] = true;
    window
      .fetch(rec.url, {
        method: "POST",
        credentials: "same-origin",
        headers: {
          "Content-Type": "application/json",
          Accept: "application/json",
          "X-CSRFToken": csrfToken(),
        },
        body: body(rec),
      })
      .then(function (response) {
        var isJson = (response.headers.get("Content-Type") || "").indexOf("application/json") === 0;
        if (response.ok && isJson) {
          return response.json().then(function (stored) {
            drop(key);
            if (key === storageKey) {
              // The server has it: show its own page of the locked sheet.
              window.location.assign(rec.page + "?slot=" + stored.slot);
            }
          });
        }
        if (isJson && response.status >= 400 && response.status < 500) {
          return response.json().then(function (answer) {
            refused(key, answer);
          });
        }
        if (response.status === 404) {
          refused(key, null);
          return null;
        }
        // A server error, a refused token or a login page: not received; try again later.
        notReceived(key);
        return null;
      })
      .catch(function () {
        notReceived(key);
      })
      .then(function () {
        sending[key] = false;
      });
  }

  function flush() {
    var keys = pendingKeys();
    keys.forEach(send);
    if (!keys.length && timer) {
      window.clearInterval(timer);
      timer = null;
    }
  }

  function schedule() {
    if (!timer) {
      timer = window.setInterval(flush, RETRY_MS);
    }
  }

  window.addEventListener("online", flush);
  flush();

  // --- Following the console ------------------------------------------------------------------

  document.body.addEventListener("htmx:afterSwap", function () {
    var status = document.getElementById("score-status");
    if (status && status.dataset.follow && !dirty()) {
      window.location.assign(status.dataset.follow);
    }
  });
})();
