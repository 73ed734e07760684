// Ticks the server-rendered countdowns ([data-due]) once a minute; without it the text stays as rendered.
(function () {
  function span(minutes) {
    var d = Math.floor(minutes / 1440), h = Math.floor((minutes % 1440) / 60), m = minutes % 60;
    if (d) return d + " 天 " + h + " 小时";
    if (h) return h + " 小时 " + m + " 分钟";
    return m + " 分钟";
  }
  function tick() {
    var skew = Number(document.body.getAttribute("data-clock-skew") || 0);
    document.querySelectorAll("[data-due]").forEach(function (el) {
      var left = (Date.parse(el.getAttribute("data-due")) - (Date.now() + skew)) / 1000;
      var minutes = Math.floor(Math.abs(left) / 60);
      el.textContent = left >= 0 ? "剩余 " + span(minutes) : "已超时 " + span(minutes);
      el.classList.toggle("overdue", left < 0);
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    var now = document.querySelector("[data-server-now]");
    if (now) document.body.setAttribute("data-clock-skew", Date.parse(now.getAttribute("data-server-now")) - Date.now());
    tick();
    setInterval(tick, 30000);
  });
})();
