// Fills the latitude/longitude pair from the phone's own location (no map service is contacted).
(function () {
  document.addEventListener("DOMContentLoaded", function () {
    var button = document.getElementById("use-location");
    var lat = document.getElementById("id_latitude"), lng = document.getElementById("id_longitude");
    if (!button || !lat || !lng || !navigator.geolocation) return;
    var status = document.getElementById("location-status");
    button.parentNode.hidden = false;
    button.addEventListener("click", function () {
      status.textContent = "正在定位…";
      navigator.geolocation.getCurrentPosition(function (pos) {
        lat.value = pos.coords.latitude.toFixed(6);
        lng.value = pos.coords.longitude.toFixed(6);
        status.textContent = "已填写（精度约 " + Math.round(pos.coords.accuracy) + " 米）";
      }, function () {
        status.textContent = "无法获取位置，请手动填写或留空";
      }, {timeout: 10000});
    });
  });
})();
