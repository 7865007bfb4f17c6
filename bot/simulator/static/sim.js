// The /sim phones: each sends through /sim/api/<phone>/send and polls /sim/api/<phone>/entries for pushes.
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("sim-config").textContent);
  var words = config.words;
  var POLL_MS = 2500;

  function api(method, path, body) {
    var options = { method: method, headers: { "Accept": "application/json" } };
    if (body !== undefined) {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body);
    }
    return fetch(path, options).then(function (response) {
      return response.json().then(function (data) {
        if (!response.ok) {
          throw new Error((data.error && data.error.message) || response.status);
        }
        return data;
      });
    });
  }

  function Phone(section) {
    this.key = section.dataset.phone;
    this.section = section;
    this.chat = section.querySelector(".chat");
    this.input = section.querySelector(".input");
    this.picker = section.querySelector(".picker");
    this.file = section.querySelector(".picture");
    this.buttons = section.querySelectorAll("button.send, button.tool, .picker .go");
    this.me = section.getAttribute("aria-label").charAt(0);
    this.account = document.querySelector(".account").textContent.charAt(0);
    this.menubar = section.querySelector(".menubar");
    this.menuJson = "";
    this.lastId = 0;
    this.busy = false;
    this.wire();
  }

  Phone.prototype.wire = function () {
    var self = this;
    this.section.querySelector(".composer").addEventListener("submit", function (event) {
      event.preventDefault();
      var text = self.input.value.trim();
      if (text) {
        self.input.value = "";
        self.send({ kind: "text", text: text });
      }
    });
    this.section.querySelector('[data-action="scan"]').addEventListener("click", function () {
      self.picker.hidden = false;
    });
    this.section.querySelector(".picker .cancel").addEventListener("click", function () {
      self.picker.hidden = true;
    });
    this.section.querySelector(".picker .go").addEventListener("click", function () {
      self.picker.hidden = true;
      self.send({ kind: "scan", school: self.section.querySelector(".school").value });
    });
    this.section.querySelector('[data-action="location"]').addEventListener("click", function () {
      self.send({ kind: "location", lat: config.location.lat, lon: config.location.lon });
    });
    this.section.querySelector('[data-action="picture"]').addEventListener("click", function () {
      self.file.click();
    });
    this.file.addEventListener("change", function () {
      var picked = self.file.files[0];
      if (!picked) { return; }
      var reader = new FileReader();
      reader.onload = function () {
        var base64 = String(reader.result).split(",")[1] || "";
        self.send({ kind: "image", content_base64: base64, content_type: picked.type, name: picked.name });
      };
      reader.readAsDataURL(picked);
      self.file.value = "";
    });
  };

  // the account's menu as WeChat shows this user: top buttons, sub buttons in a pop-up above
  Phone.prototype.loadMenu = function () {
    var self = this;
    return api("GET", "/sim/api/" + this.key + "/menu")
      .then(function (data) { self.showMenu(data.button); })
      .catch(function () { /* the next poll tries again */ });
  };

  Phone.prototype.showMenu = function (buttons) {
    var json = JSON.stringify(buttons || null);
    if (json === this.menuJson) { return; }
    this.menuJson = json;
    var bar = this.menubar;
    while (bar.firstChild) { bar.removeChild(bar.firstChild); }
    bar.hidden = !buttons || !buttons.length;
    if (bar.hidden) { return; }
    var self = this;
    buttons.forEach(function (button) {
      var top = document.createElement("button");
      top.type = "button";
      top.className = "menu-top";
      top.textContent = button.name;
      bar.appendChild(top);
      if (button.sub_button && button.sub_button.length) {
        top.classList.add("has-sub");
        var sub = document.createElement("div");
        sub.className = "menu-sub";
        sub.hidden = true;
        button.sub_button.forEach(function (item) {
          var entry = document.createElement("button");
          entry.type = "button";
          entry.className = "menu-item";
          entry.textContent = item.name;
          entry.addEventListener("click", function () { sub.hidden = true; self.press(item); });
          sub.appendChild(entry);
        });
        bar.appendChild(sub);
        top.addEventListener("click", function () {
          var open = sub.hidden;
          bar.querySelectorAll(".menu-sub").forEach(function (other) { other.hidden = true; });
          sub.style.left = top.offsetLeft + "px";
          sub.hidden = !open;
        });
      } else {
        top.addEventListener("click", function () { self.press(button); });
      }
    });
  };

  Phone.prototype.press = function (button) {
    if (button.type === "view") {
      window.open(button.url, "_blank", "noopener");
      this.send({ kind: "view", url: button.url, name: button.name });
    } else {
      this.send({ kind: "click", key: button.key, name: button.name });
    }
  };

  Phone.prototype.setBusy = function (busy) {
    this.busy = busy;
    for (var i = 0; i < this.buttons.length; i++) { this.buttons[i].disabled = busy; }
  };

  Phone.prototype.show = function (entries) {
    var empty = this.chat.querySelector(".empty");
    for (var i = 0; i < entries.length; i++) {
      var entry = entries[i];
      if (entry.id <= this.lastId) { continue; }
      this.lastId = entry.id;
      if (empty) { empty.remove(); empty = null; }
      this.chat.appendChild(this.bubble(entry));
    }
    this.chat.scrollTop = this.chat.scrollHeight;
  };

  Phone.prototype.bubble = function (entry) {
    var row = document.createElement("div");
    row.className = "row " + entry.side;
    var bubble = document.createElement("div");
    bubble.className = "bubble";
    if (entry.label) {
      var label = document.createElement("span");
      label.className = "push-label";
      label.textContent = entry.label;
      bubble.appendChild(label);
    }
    bubble.appendChild(document.createTextNode(entry.text));
    if (entry.side === "note") {
      row.appendChild(bubble);
      return row;
    }
    var avatar = document.createElement("span");
    avatar.className = "avatar";
    avatar.textContent = entry.side === "me" ? this.me : this.account;
    if (entry.side === "me") { row.appendChild(bubble); row.appendChild(avatar); }
    else { row.appendChild(avatar); row.appendChild(bubble); }
    return row;
  };

  Phone.prototype.note = function (text) {
    this.chat.appendChild(this.bubble({ side: "note", text: text, label: "" }));
    this.chat.scrollTop = this.chat.scrollHeight;
  };

  Phone.prototype.start = function () {
    var self = this;
    this.setBusy(true);
    return api("POST", "/sim/api/" + this.key + "/start")
      .then(function (data) { self.show(data.entries); return self.loadMenu(); })
      .catch(function (error) { self.note(words["page.error"].replace("{error}", error.message)); })
      .then(function () { self.setBusy(false); self.section.dataset.ready = "1"; });
  };

  Phone.prototype.send = function (message) {
    var self = this;
    if (this.busy) { return; }
    this.setBusy(true);
    message.after = this.lastId;
    api("POST", "/sim/api/" + this.key + "/send", message)
      .then(function (data) { self.show(data.entries); })
      .catch(function (error) { self.note(words["page.error"].replace("{error}", error.message)); })
      .then(function () { self.setBusy(false); self.input.focus(); self.loadMenu(); });
  };

  Phone.prototype.poll = function () {
    var self = this;
    if (this.busy) { return; }
    api("GET", "/sim/api/" + this.key + "/entries?after=" + this.lastId)
      .then(function (data) { self.show(data.entries); })
      .catch(function () { /* the next poll tries again */ });
    this.loadMenu();  // binding and unbinding change it, once the worker has tagged the user
  };

  var phones = [];
  var sections = document.querySelectorAll(".phone");
  for (var i = 0; i < sections.length; i++) { phones.push(new Phone(sections[i])); }

  // one phone at a time on a small screen
  var tabs = document.querySelectorAll(".tab");
  for (var j = 0; j < tabs.length; j++) {
    tabs[j].addEventListener("click", function (event) {
      var key = event.currentTarget.dataset.tab;
      for (var k = 0; k < tabs.length; k++) {
        var on = tabs[k].dataset.tab === key;
        tabs[k].classList.toggle("active", on);
        tabs[k].setAttribute("aria-selected", on ? "true" : "false");
      }
      for (var m = 0; m < sections.length; m++) {
        sections[m].classList.toggle("active", sections[m].dataset.phone === key);
      }
    });
  }

  // bind one phone after the other: each start sends a real message to /wechat
  phones.reduce(function (previous, phone) {
    return previous.then(function () { return phone.start(); });
  }, Promise.resolve()).then(function () {
    document.body.dataset.ready = "1";
    setInterval(function () { phones.forEach(function (phone) { phone.poll(); }); }, POLL_MS);
  });
})();
