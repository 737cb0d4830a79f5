// Progressive enhancement of the report form: communes load when a province
// is chosen, "time unknown" disables the time field, and the citizen may
// share their position. The form works fully without this script.
(function () {
  "use strict";
  var form = document.getElementById("report");
  if (!form) return;
  var prov = document.getElementById("province_code");
  var comm = document.getElementById("commune_code");
  var pick = document.getElementById("pick-province");
  if (pick) pick.hidden = true;
  function opt(value, text) {
    var o = document.createElement("option");
    o.value = value; o.textContent = text; return o;
  }
  // Only the answer for the latest choice of province fills the list: an
  // earlier, slower answer must not replace it, nor undo a commune already
  // chosen from it.
  var asked = 0;
  prov.addEventListener("change", function () {
    var mine = ++asked, chosen = comm.value;
    comm.textContent = "";
    if (!prov.value) { comm.appendChild(opt("", "— Chọn tỉnh trước —")); return; }
    comm.appendChild(opt("", "Đang tải…"));
    fetch("/api/v1/geo/units?parent=" + encodeURIComponent(prov.value))
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then(function (units) {
        if (mine !== asked) return;
        comm.textContent = "";
        comm.appendChild(opt("", "— Không rõ —"));
        units.forEach(function (u) { comm.appendChild(opt(u.code, u.name)); });
        if (chosen && comm.querySelector('option[value="' + chosen + '"]')) comm.value = chosen;
      })
      .catch(function () {
        if (mine !== asked) return;
        comm.textContent = "";
        comm.appendChild(opt("", "Không tải được danh sách; bấm “Chọn tỉnh”"));
        if (pick) pick.hidden = false;
      });
  });
  var unknown = form.querySelector("input[name=time_unknown]");
  var when = document.getElementById("occurred_at");
  function sync() { when.disabled = unknown.checked; }
  unknown.addEventListener("change", sync); sync();
  var locate = document.getElementById("locate");
  var status = document.getElementById("locate-status");
  if (navigator.geolocation && locate) {
    locate.hidden = false;
    locate.addEventListener("click", function () {
      status.textContent = "Đang lấy vị trí…";
      navigator.geolocation.getCurrentPosition(function (p) {
        document.getElementById("lat").value = p.coords.latitude.toFixed(5);
        document.getElementById("lon").value = p.coords.longitude.toFixed(5);
        status.textContent = "Đã gắn vị trí của bạn vào tin tố giác.";
      }, function () { status.textContent = "Không lấy được vị trí."; });
    });
  }
})();
