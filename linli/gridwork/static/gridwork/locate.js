// Puts the phone's own location (with its accuracy) into a form's hidden fields when the worker taps
// the button; no map service is contacted. A phone that refuses leaves the fields empty: the
// location is optional.
(function () {
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-locate]").forEach(function (button) {
      var form = button.closest("form");
      var status = form.querySelector("[data-locate-status]");
      if (!navigator.geolocation) return;
      button.hidden = false;
      button.addEventListener("click", function () {
        status.textContent = "正在定位…";
        navigator.geolocation.getCurrentPosition(function (pos) {
          form.querySelector("[name=latitude]").value = pos.coords.latitude.toFixed(6);
          form.querySelector("[name=longitude]").value = pos.coords.longitude.toFixed(6);
          form.querySelector("[name=accuracy_m]").value = Math.round(pos.coords.accuracy);
          status.textContent = "已附上位置（精度约 " + Math.round(pos.coords.accuracy) + " 米）";
        }, function () {
          status.textContent = "未能获取位置，将不附位置提交";
        }, {timeout: 10000, enableHighAccuracy: true});
      });
    });
  });
})();
