// The docs page's one script, a file of its own so that the page's
// Content-Security-Policy allows no inline script.
window.ui = SwaggerUIBundle({
  url: "openapi.json",
  dom_id: "#swagger-ui",
  deepLinking: true,
  persistAuthorization: true
});
