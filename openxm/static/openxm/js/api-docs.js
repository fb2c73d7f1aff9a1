// Starts the vendored Swagger UI on /api/v1/docs (no inline script: the page's CSP forbids it).
(function () {
  "use strict";
  var root = document.getElementById("swagger-ui");
  window.SwaggerUIBundle({
    url: root.getAttribute("data-openapi-url"),
    domNode: root,
    deepLinking: true,
    layout: "BaseLayout",
    validatorUrl: null,
  });
})();
