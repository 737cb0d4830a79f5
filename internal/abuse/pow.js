// pow.js: the browser half of toandan/internal/abuse.PoW. No inline code is
// needed: every form[data-pow] is solved as soon as the page loads.
//
// Format (the same as abuse.Solve and PoW.Verify in pow.go; change both or
// neither): find a decimal nonce n = 0, 1, 2, ... such that
// SHA-256(UTF-8(challenge + ":" + n)) starts with at least data-pow zero
// bits, where challenge is input[name=pow_challenge]; put n in
// input[name=pow_nonce]. Without SubtleCrypto (old browser, plain HTTP) the
// nonce stays empty and the server takes the form on its stricter path.
(function () {
  "use strict";
  var BATCH = 64;

  function zeroBits(buf) {
    var b = new Uint8Array(buf), n = 0;
    for (var i = 0; i < b.length; i++) {
      if (b[i]) return n + Math.clz32(b[i]) - 24;
      n += 8;
    }
    return n;
  }

  function solve(form) {
    var ch = form.querySelector("input[name=pow_challenge]");
    var out = form.querySelector("input[name=pow_nonce]");
    var st = form.querySelector("[data-pow-status]");
    var bits = parseInt(form.getAttribute("data-pow"), 10);
    var subtle = window.crypto && window.crypto.subtle;
    if (!ch || !out || !(bits > 0) || !subtle || !window.TextEncoder) return;

    var enc = new TextEncoder(), prefix = ch.value + ":";
    var n = 0, done = false, waiting = null, expect = Math.pow(2, bits);
    var label = "Đang kiểm tra chống gửi tự động… ";
    function say(t) { if (st) st.textContent = label + t; }

    function finish(nonce) {
      done = true;
      if (nonce !== null) out.value = String(nonce);
      say(nonce !== null ? "xong" : "bỏ qua");
      if (waiting) {
        var s = waiting.s;
        waiting = null;
        if (form.requestSubmit) form.requestSubmit(s && s.form === form ? s : undefined);
        else form.submit();
      }
    }

    form.addEventListener("submit", function (e) {
      if (done) return;
      e.preventDefault();
      waiting = { s: e.submitter };
      say("vui lòng chờ, biểu mẫu sẽ tự gửi.");
    });

    function batch() {
      var work = [];
      for (var i = 0; i < BATCH; i++) {
        work.push(subtle.digest("SHA-256", enc.encode(prefix + (n + i))));
      }
      Promise.all(work).then(function (sums) {
        for (var i = 0; i < sums.length; i++) {
          if (zeroBits(sums[i]) >= bits) return finish(n + i);
        }
        n += sums.length;
        if (!waiting) say(Math.min(99, Math.floor(100 * n / expect)) + "%");
        setTimeout(batch, 0);
      }, function () { finish(null); });
    }
    say("0%");
    batch();
  }

  function start() {
    var forms = document.querySelectorAll("form[data-pow]");
    for (var i = 0; i < forms.length; i++) solve(forms[i]);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
