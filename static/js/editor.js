/* The editors' desk on a draft's change form (topics/desk.py):
 * - each section's text grows with its content, with a word count, and its
 *   rendered preview beside it, refreshed as the editor types;
 * - "[@" / "@" offer works, "](topic:" topics, "@fig:" this draft's figures;
 * - unsaved text is kept in this browser and offered back after a closed
 *   tab, a crash or an expired session;
 * - Ctrl/Cmd+S saves and continues; leaving with unsaved changes asks first;
 * - open review comments are placed beside their section.
 * Without this file the form works as the plain admin form. */
(function () {
  "use strict";

  function main() {
  var configNode = document.getElementById("editor-config");
  var form = document.getElementById("topicversion_form");
  if (!configNode || !form) {
    return;
  }
  var config = JSON.parse(configNode.textContent);
  var text = config.strings;
  var csrf = form.querySelector("input[name=csrfmiddlewaretoken]");
  var storageKey = "scholargate:draft:" + config.version;
  var submitting = false;

  function format(template, value) {
    return template.replace("%s", value);
  }

  function debounce(fn, ms) {
    var timer = null;
    return function () {
      var args = arguments;
      clearTimeout(timer);
      timer = setTimeout(function () { fn.apply(null, args); }, ms);
    };
  }

  function el(tag, attrs, content) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      if (name === "text") {
        node.textContent = attrs[name];
      } else {
        node.setAttribute(name, attrs[name]);
      }
    });
    (content || []).forEach(function (child) { node.appendChild(child); });
    return node;
  }

  function bodies() {
    return Array.prototype.filter.call(
      form.querySelectorAll("textarea[name^='sections-']"),
      function (area) { return /^sections-\d+-body$/.test(area.name); }
    );
  }

  function sibling(area, field) {
    return form.querySelector("[name='" + area.name.replace(/-body$/, "-" + field) + "']");
  }

  // -- Writing comfort ------------------------------------------------------

  var WORD = /[\p{L}\p{N}][\p{L}\p{N}'’-]*/gu;

  function countWords(value) {
    var found = value.match(WORD);
    return found ? found.length : 0;
  }

  var total = el("p", { "class": "word-total", "aria-live": "off" });
  var firstSection = form.querySelector("#sections-group");
  if (firstSection) {
    firstSection.parentNode.insertBefore(total, firstSection);
  }

  function updateCounts() {
    var sum = 0;
    bodies().forEach(function (area) {
      var n = countWords(area.value);
      sum += n;
      if (area.wordCount) {
        area.wordCount.textContent = format(text.words, n.toLocaleString());
      }
    });
    total.textContent = format(text.totalWords, sum.toLocaleString());
  }

  function grow(area) {
    area.style.height = "auto";
    area.style.height = area.scrollHeight + 4 + "px";
  }

  // -- Live preview ---------------------------------------------------------

  function previewOf(area) {
    if (area.preview) {
      return area.preview;
    }
    var wrapper = el("div", { "class": "section-editor" });
    area.parentNode.insertBefore(wrapper, area);
    var column = el("div", { "class": "section-editor-text" });
    wrapper.appendChild(column);
    column.appendChild(area);
    area.wordCount = el("p", { "class": "word-count" });
    column.appendChild(area.wordCount);
    var headingId = area.id + "-preview-heading";
    var panel = el("div", {
      "class": "section-preview",
      "id": area.id + "-preview",
      "role": "region",
      "aria-labelledby": headingId,
      "tabindex": "0",
    });
    var title = el("h3", { "id": headingId, "class": "section-preview-title", text: text.preview });
    var status = el("p", { "class": "section-preview-status", "role": "status" });
    var errors = el("ul", { "class": "errorlist section-preview-errors", "hidden": "" });
    var output = el("div", { "class": "section-preview-output entry-body" });
    panel.appendChild(title);
    panel.appendChild(status);
    panel.appendChild(errors);
    panel.appendChild(output);
    wrapper.appendChild(panel);
    var toggle = el("button", {
      "type": "button",
      "class": "preview-toggle button",
      "aria-controls": panel.id,
      "aria-expanded": "true",
      text: text.hidePreview,
    });
    toggle.addEventListener("click", function () { togglePreview(area); });
    column.insertBefore(toggle, area.wordCount);
    area.preview = { wrapper: wrapper, panel: panel, title: title, status: status, errors: errors, output: output, toggle: toggle, sequence: 0 };
    if (window.matchMedia("(max-width: 1100px)").matches) {
      togglePreview(area, false);
    }
    return area.preview;
  }

  function togglePreview(area, show) {
    var preview = previewOf(area);
    var visible = show === undefined ? preview.panel.hidden : show;
    preview.panel.hidden = !visible;
    preview.wrapper.classList.toggle("preview-hidden", !visible);
    preview.toggle.setAttribute("aria-expanded", String(visible));
    preview.toggle.textContent = visible ? text.hidePreview : text.showPreview;
    if (visible) {
      refresh(area);
    }
  }

  function refresh(area) {
    var preview = previewOf(area);
    if (preview.panel.hidden) {
      return;
    }
    var heading = sibling(area, "heading");
    var kind = sibling(area, "kind");
    var label = (heading && heading.value) || (kind && kind.options ? kind.options[kind.selectedIndex].text : "");
    preview.title.textContent = format(text.previewTitle, label);
    var data = new FormData();
    data.append("heading", heading ? heading.value : "");
    data.append("kind", kind ? kind.value : "");
    data.append("body", area.value);
    data.append("prefix", area.id + "-pv");
    var sequence = ++preview.sequence;
    preview.status.textContent = text.updating;
    fetch(config.preview, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrf ? csrf.value : "" },
    })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(response.status + " " + response.statusText);
        }
        return response.json();
      })
      .then(function (result) {
        if (sequence !== preview.sequence) {
          return;
        }
        preview.status.textContent = "";
        preview.errors.textContent = "";
        result.errors.forEach(function (message) {
          preview.errors.appendChild(el("li", { text: message }));
        });
        preview.errors.hidden = !result.errors.length;
        area.setAttribute("aria-invalid", result.errors.length ? "true" : "false");
        if (!result.errors.length) {
          // Sanitised by the server (nh3), as on the published page.
          preview.output.innerHTML = result.html;
        }
      })
      .catch(function (error) {
        if (sequence === preview.sequence) {
          preview.status.textContent = format(text.previewFailed, error.message);
        }
      });
  }

  var refreshLater = debounce(refresh, 600);

  // -- Autocomplete ---------------------------------------------------------

  var TRIGGERS = [
    { kind: "topics", pattern: /\]\(topic:([\w-]*)$/ },
    { kind: "figures", pattern: /(?:^|[^\w@])@(fig:[\w:.-]*)$/i },
    { kind: "works", pattern: /(?:^|[^\w@])@([\w:.#$%&+?<>~/-]*)$/ },
  ];
  var announcer = el("div", { "class": "visually-hidden", "aria-live": "polite", "role": "status" });
  document.body.appendChild(announcer);
  var lookupCache = {};

  function attachAutocomplete(area) {
    var listbox = el("ul", {
      "class": "autocomplete",
      "role": "listbox",
      "id": area.id + "-suggestions",
      "aria-label": "Suggestions",
      "hidden": "",
    });
    area.parentNode.insertBefore(listbox, area.nextSibling);
    area.setAttribute("aria-autocomplete", "list");
    var state = { items: [], active: -1, trigger: null, fragment: "" };

    function close() {
      listbox.hidden = true;
      listbox.textContent = "";
      state.items = [];
      state.active = -1;
      area.removeAttribute("aria-controls");
      area.removeAttribute("aria-activedescendant");
    }

    function highlight(index) {
      state.active = index;
      Array.prototype.forEach.call(listbox.children, function (option, i) {
        option.setAttribute("aria-selected", String(i === index));
      });
      if (index >= 0) {
        var option = listbox.children[index];
        area.setAttribute("aria-activedescendant", option.id);
        option.scrollIntoView({ block: "nearest" });
      }
    }

    function take(index) {
      var item = state.items[index];
      if (!item) {
        return;
      }
      var caret = area.selectionStart;
      var start = caret - state.fragment.length;
      var after = area.value.slice(caret);
      var closing = "";
      if (state.trigger === "topics" && after.charAt(0) !== ")") {
        closing = ")";
      } else if (state.trigger === "works" && /\[[^\]]*$/.test(area.value.slice(0, start)) && !/^[\],;]/.test(after)) {
        closing = "]";
      }
      area.value = area.value.slice(0, start) + item.value + closing + after;
      var position = start + item.value.length + closing.length;
      area.setSelectionRange(position, position);
      close();
      area.dispatchEvent(new Event("input", { bubbles: true }));
    }

    function show(items) {
      listbox.textContent = "";
      state.items = items;
      if (!items.length) {
        close();
        announcer.textContent = text.noSuggestions;
        return;
      }
      items.forEach(function (item, i) {
        var option = el("li", { "role": "option", "id": listbox.id + "-" + i, "aria-selected": "false" }, [
          el("strong", { text: item.label }),
          el("span", { text: item.detail ? " " + item.detail : "" }),
        ]);
        option.addEventListener("mousedown", function (event) {
          event.preventDefault();
          take(i);
        });
        listbox.appendChild(option);
      });
      listbox.hidden = false;
      area.setAttribute("aria-controls", listbox.id);
      highlight(0);
      announcer.textContent = format(text.suggestions, items.length);
    }

    var lookup = debounce(function (kind, fragment) {
      var url = config.lookup + kind + "/?q=" + encodeURIComponent(fragment);
      if (lookupCache[url]) {
        show(lookupCache[url]);
        return;
      }
      fetch(url, { credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.json() : { results: [] }; })
        .then(function (data) {
          lookupCache[url] = data.results;
          if (state.trigger === kind && state.fragment === fragment) {
            show(data.results);
          }
        })
        .catch(close);
    }, 150);

    area.addEventListener("input", function () {
      var before = area.value.slice(0, area.selectionStart);
      var found = null;
      TRIGGERS.some(function (trigger) {
        var match = before.match(trigger.pattern);
        if (match) {
          found = { kind: trigger.kind, fragment: match[1] };
        }
        return Boolean(match);
      });
      if (!found) {
        state.trigger = null;
        close();
        return;
      }
      state.trigger = found.kind;
      state.fragment = found.fragment;
      lookup(found.kind, found.fragment);
    });

    area.addEventListener("keydown", function (event) {
      if (listbox.hidden || !state.items.length) {
        return;
      }
      if (event.key === "ArrowDown") {
        event.preventDefault();
        highlight((state.active + 1) % state.items.length);
      } else if (event.key === "ArrowUp") {
        event.preventDefault();
        highlight((state.active - 1 + state.items.length) % state.items.length);
      } else if (event.key === "Enter" || event.key === "Tab") {
        event.preventDefault();
        take(state.active);
      } else if (event.key === "Escape") {
        event.preventDefault();
        close();
      }
    });
    area.addEventListener("blur", function () { setTimeout(close, 150); });
  }

  // -- Keeping unsaved text -------------------------------------------------

  function fields() {
    return Array.prototype.filter.call(form.elements, function (field) {
      return field.name && field.name !== "csrfmiddlewaretoken" && field.name !== "seen_edit_count" &&
        field.type !== "file" && field.type !== "submit" && field.type !== "button" &&
        !/-(TOTAL|INITIAL|MIN_NUM|MAX_NUM)_FORMS$/.test(field.name);
    });
  }

  function valueOf(field) {
    if (field.type === "checkbox" || field.type === "radio") {
      return field.checked ? "on" : "";
    }
    if (field.multiple) {
      return Array.prototype.filter.call(field.options, function (o) { return o.selected; })
        .map(function (o) { return o.value; }).join(",");
    }
    return field.value;
  }

  function setValue(field, value) {
    if (field.type === "checkbox" || field.type === "radio") {
      field.checked = value === "on";
    } else if (field.multiple) {
      var wanted = value.split(",");
      Array.prototype.forEach.call(field.options, function (o) { o.selected = wanted.indexOf(o.value) >= 0; });
    } else {
      field.value = value;
    }
    field.dispatchEvent(new Event("input", { bubbles: true }));
    field.dispatchEvent(new Event("change", { bubbles: true }));
  }

  var initial = {};
  fields().forEach(function (field) { initial[field.name] = valueOf(field); });

  function changes() {
    var changed = {};
    fields().forEach(function (field) {
      var value = valueOf(field);
      if (initial[field.name] !== value) {
        changed[field.name] = value;
      }
    });
    return changed;
  }

  function isDirty() {
    return Object.keys(changes()).length > 0;
  }

  function store() {
    var changed = changes();
    try {
      if (Object.keys(changed).length) {
        var seen = form.querySelector("[name=seen_edit_count]");
        localStorage.setItem(storageKey, JSON.stringify({
          baseline: seen ? seen.value : String(config.editCount),
          savedAt: Date.now(),
          values: changed,
        }));
      }
    } catch (error) {
      /* Storage full or switched off: the form itself still works. */
    }
  }

  var storeLater = debounce(store, 800);

  function labelOf(name) {
    var field = form.querySelector("[name='" + name + "']");
    var label = field && field.id ? form.querySelector("label[for='" + field.id + "']") : null;
    var section = name.match(/^sections-(\d+)-/);
    var prefix = section ? "§" + (Number(section[1]) + 1) + " " : "";
    return prefix + (label ? label.textContent.replace(/:$/, "") : name);
  }

  function wordDiff(before, after) {
    // The words removed and added between two texts (longest common
    // subsequence over words; long texts compare their changed middle).
    var a = before.split(/(\s+)/);
    var b = after.split(/(\s+)/);
    var start = 0;
    while (start < a.length && start < b.length && a[start] === b[start]) { start++; }
    var endA = a.length;
    var endB = b.length;
    while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) { endA--; endB--; }
    var midA = a.slice(start, endA);
    var midB = b.slice(start, endB);
    var out = el("div", { "class": "restore-diff-text" });
    out.appendChild(document.createTextNode(a.slice(Math.max(0, start - 12), start).join("")));
    if (midA.length * midB.length > 250000) {
      out.appendChild(el("del", { text: midA.join("") }));
      out.appendChild(el("ins", { text: midB.join("") }));
    } else {
      var table = [];
      for (var i = 0; i <= midA.length; i++) {
        table.push(new Array(midB.length + 1).fill(0));
      }
      for (i = midA.length - 1; i >= 0; i--) {
        for (var j = midB.length - 1; j >= 0; j--) {
          table[i][j] = midA[i] === midB[j] ? table[i + 1][j + 1] + 1 : Math.max(table[i + 1][j], table[i][j + 1]);
        }
      }
      i = 0;
      j = 0;
      var runs = [];  // [kind, text]: consecutive words of one kind together
      var push = function (kind, word) {
        var last = runs[runs.length - 1];
        if (last && last[0] === kind) {
          last[1] += word;
        } else {
          runs.push([kind, word]);
        }
      };
      while (i < midA.length || j < midB.length) {
        if (i < midA.length && j < midB.length && midA[i] === midB[j]) {
          push("same", midA[i]);
          i++;
          j++;
        } else if (j < midB.length && (i === midA.length || table[i][j + 1] >= table[i + 1][j])) {
          push("ins", midB[j]);
          j++;
        } else {
          push("del", midA[i]);
          i++;
        }
      }
      runs.forEach(function (run) {
        out.appendChild(run[0] === "same" ? document.createTextNode(run[1]) : el(run[0], { text: run[1] }));
      });
    }
    out.appendChild(document.createTextNode(a.slice(endA, endA + 12).join("")));
    return out;
  }

  function ensureRow(name) {
    // A section added with "Add another" before the page closed.
    var match = name.match(/^([\w]+)-(\d+)-/);
    if (!match || form.querySelector("[name='" + name + "']")) {
      return;
    }
    var total = form.querySelector("[name='" + match[1] + "-TOTAL_FORMS']");
    var add = document.querySelector("#" + match[1] + "-group .add-row a");
    var guard = 0;
    while (total && add && Number(total.value) <= Number(match[2]) && guard < 50) {
      add.click();
      guard++;
    }
  }

  function offerRestore() {
    var saved;
    try {
      saved = JSON.parse(localStorage.getItem(storageKey) || "null");
    } catch (error) {
      saved = null;
    }
    if (!saved || !saved.values) {
      return;
    }
    var pending = {};
    Object.keys(saved.values).forEach(function (name) {
      var field = form.querySelector("[name='" + name + "']");
      var current = field ? valueOf(field) : initial[name];
      if (current !== saved.values[name] && !(current === undefined && saved.values[name] === "")) {
        pending[name] = saved.values[name];
      }
    });
    if (!Object.keys(pending).length) {
      localStorage.removeItem(storageKey);
      return;
    }
    var notice = document.getElementById("autosave-notice");
    notice.textContent = "";
    notice.setAttribute("role", "region");
    notice.setAttribute("aria-label", text.restore);
    notice.appendChild(el("p", { text: format(text.unsaved, new Date(saved.savedAt).toLocaleString()) }));
    var seen = form.querySelector("[name=seen_edit_count]");
    if (seen && saved.baseline !== seen.value) {
      notice.appendChild(el("p", { "class": "restore-conflict", text: text.conflict }));
    }
    var details = el("details", { "class": "restore-diff" }, [el("summary", { text: text.showRestore })]);
    Object.keys(pending).forEach(function (name) {
      var field = form.querySelector("[name='" + name + "']");
      details.appendChild(el("h4", { text: labelOf(name) }));
      details.appendChild(wordDiff(field ? valueOf(field) : "", pending[name]));
    });
    notice.appendChild(details);
    var restore = el("button", { "type": "button", "class": "button default", text: text.restore });
    var discard = el("button", { "type": "button", "class": "button", text: text.discard });
    restore.addEventListener("click", function () {
      Object.keys(pending).forEach(function (name) {
        ensureRow(name);
        var field = form.querySelector("[name='" + name + "']");
        if (field) {
          setValue(field, pending[name]);
        }
      });
      if (seen) {
        // The edit count the text was typed against: a save made since by
        // someone else is then refused as an edit conflict, never overwritten.
        seen.value = saved.baseline;
      }
      bodies().forEach(setUp);
      notice.textContent = "";
      notice.appendChild(el("p", { "role": "status", text: text.restored }));
      updateCounts();
    });
    discard.addEventListener("click", function () {
      localStorage.removeItem(storageKey);
      notice.hidden = true;
    });
    notice.appendChild(el("p", {}, [restore, document.createTextNode(" "), discard]));
    notice.hidden = false;
  }

  // -- Review comments beside their section ---------------------------------

  function placeComments() {
    var comments = document.querySelectorAll(".review-comments .review-comment[data-section]");
    Array.prototype.forEach.call(comments, function (comment) {
      var wanted = comment.getAttribute("data-section");
      var target = null;
      bodies().some(function (area) {
        var heading = sibling(area, "heading");
        var kind = sibling(area, "kind");
        var shown = (heading && heading.value) || (kind && kind.options ? kind.options[kind.selectedIndex].text : "");
        if (wanted && shown === wanted) {
          target = area.closest(".inline-related") || area.parentNode;
        }
        return Boolean(target);
      });
      if (target) {
        comment.classList.add("beside-section");
        target.appendChild(comment);
      }
    });
  }

  // -- Wiring ---------------------------------------------------------------

  function setUp(area) {
    if (area.deskReady || /__prefix__/.test(area.name)) {
      return;
    }
    area.deskReady = true;
    area.classList.add("section-body");
    previewOf(area);
    attachAutocomplete(area);
    grow(area);
    area.addEventListener("input", function () {
      grow(area);
      updateCounts();
      refreshLater(area);
    });
    ["heading", "kind"].forEach(function (name) {
      var field = sibling(area, name);
      if (field) {
        field.addEventListener("change", function () { refresh(area); });
      }
    });
    refresh(area);
  }

  function start() {
    bodies().forEach(setUp);
    updateCounts();
    placeComments();
    offerRestore();
    document.addEventListener("formset:added", function () { bodies().forEach(setUp); });
    form.addEventListener("input", storeLater);
    form.addEventListener("change", storeLater);
    form.addEventListener("submit", function () {
      submitting = true;
      store();
    });
    window.addEventListener("pagehide", function () {
      if (!submitting) {
        store();
      }
    });
    window.addEventListener("beforeunload", function (event) {
      if (!submitting && isDirty()) {
        store();
        event.preventDefault();
        event.returnValue = "";
      }
    });
    document.addEventListener("keydown", function (event) {
      if ((event.ctrlKey || event.metaKey) && !event.altKey && event.key.toLowerCase() === "s") {
        event.preventDefault();
        var save = form.querySelector("[name=_continue]");
        if (save) {
          save.click();
        }
      } else if (event.altKey && event.key.toLowerCase() === "p") {
        var area = document.activeElement;
        if (area && area.preview) {
          event.preventDefault();
          togglePreview(area);
        }
      }
    });
  }

  start();
  }

  // After the admin's own scripts (inlines) have set the form up.
  if (document.readyState === "complete") {
    main();
  } else {
    window.addEventListener("load", main);
  }
})();
