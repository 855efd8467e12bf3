// The oversight page's map of subordinates: ECharts (static/vendor/echarts, served by the app) on
// the boundary file shipped in static/maps/, each subordinate coloured by its report status or by
// its spending. The list under the map says the same without scripts.
(function () {
  "use strict";
  var box = document.getElementById("subordinate-map");
  if (!box || !window.echarts) {
    return;
  }
  var regions = JSON.parse(document.getElementById("map-regions").textContent);
  var labels = JSON.parse(document.getElementById("map-labels").textContent);
  var COLORS = { submitted: "#2e7d32", accepted: "#2e7d32", late: "#ed6c02", returned: "#8e24aa", missing: "#c62828" };
  var byName = {};
  regions.forEach(function (region) { byName[region.name] = region; });

  fetch(box.getAttribute("data-map-url")).then(function (response) { return response.json(); }).then(function (geo) {
    var code = box.getAttribute("data-map-code");
    window.echarts.registerMap(code, geo);
    var chart = window.echarts.init(box, null, { renderer: "svg" });
    var maxCost = Math.max.apply(null, [1].concat(regions.map(function (r) { return r.cost; })));

    function data(mode) {
      return geo.features.map(function (feature) {
        var name = feature.properties.name;
        var region = byName[name];
        var item = { name: name, code: feature.properties.code, status: region ? region.status : "none", cost: region ? region.cost : null };
        if (mode === "cost") {
          item.value = region ? region.cost : null;
        } else {
          item.itemStyle = { areaColor: region ? COLORS[region.status] || "#9aa5b1" : "#e4e7eb" };
        }
        return item;
      });
    }

    function draw(mode) {
      chart.setOption({
        tooltip: {
          formatter: function (params) {
            var item = params.data || {};
            var text = params.name + "<br>" + labels.status + "：" + (labels[item.status] || labels.none);
            return item.cost === null || item.cost === undefined ? text : text + "<br>" + labels.cost + "：" + item.cost.toLocaleString();
          }
        },
        visualMap: mode === "cost"
          ? { min: 0, max: maxCost, left: 0, bottom: 0, text: [labels.cost, "0"], calculable: true, inRange: { color: ["#e3f2fd", "#1565c0"] } }
          : null,
        series: [{ type: "map", map: code, roam: false, layoutCenter: ["50%", "50%"], layoutSize: "100%",
                   label: { show: true, fontSize: 11 }, data: data(mode),
                   itemStyle: { borderColor: "#fff", areaColor: "#e4e7eb" }, emphasis: { label: { show: true } } }]
      }, true);
      box.setAttribute("data-mode", mode);
      document.querySelectorAll("[data-map-mode]").forEach(function (button) {
        button.setAttribute("aria-pressed", String(button.getAttribute("data-map-mode") === mode));
      });
    }

    document.querySelectorAll("[data-map-mode]").forEach(function (button) {
      button.addEventListener("click", function () { draw(button.getAttribute("data-map-mode")); });
    });
    window.addEventListener("resize", function () { chart.resize(); });
    draw("status");
    box.setAttribute("data-drawn", String(geo.features.length));
  });
})();
