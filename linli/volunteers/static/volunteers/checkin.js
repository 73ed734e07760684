// Check-in and check-out send the phone's own position and its accuracy (no map service is contacted).
(function () {
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form.locate-form").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        if (form.elements.latitude.value) return;
        event.preventDefault();
        var status = form.querySelector(".locate-status");
        if (!navigator.geolocation) { status.textContent = "此浏览器不能定位，请换用手机浏览器"; return; }
        status.textContent = "正在定位…";
        navigator.geolocation.getCurrentPosition(function (pos) {
          form.elements.latitude.value = pos.coords.latitude.toFixed(6);
          form.elements.longitude.value = pos.coords.longitude.toFixed(6);
          form.elements.accuracy.value = Math.round(pos.coords.accuracy);
          form.submit();
        }, function () {
          status.textContent = "无法获取位置：请允许获取位置后再试";
        }, {enableHighAccuracy: true, timeout: 15000});
      });
    });
  });
})();
