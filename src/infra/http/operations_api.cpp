#include "infra/http/operations_api.hpp"

#include "infra/observability/log.hpp"

namespace gm::infra::http {

void OperationsApi::AddRoutes(Router& router) const {
  router.Add({"GET", "/healthz", Lane::kInline, false,
              [](const HttpRequest&, const std::string&) { return HttpResponse::Json(200, R"({"status":"ok"})"); }});
  router.Add({"GET", "/readyz", Lane::kDatabase, false, [this](const HttpRequest&, const std::string&) {
                bool ready = false;
                try {
                  ready = database_answers_();
                } catch (const std::exception& error) {
                  LogLine().Add("error", error.what()).Warn("readiness check: the database does not answer");
                }
                if (!ready) return HttpResponse::Error(503, "the database does not answer");
                std::string body = R"({"status":"ready")";
                if (queue_status_) {
                  body += R"(,"queue":)";
                  body += queue_status_();
                }
                body += '}';
                return HttpResponse::Json(200, std::move(body));
              }});
  router.Add({"GET", "/metrics", Lane::kDatabase, false, [this](const HttpRequest&, const std::string&) {
                return HttpResponse{200, "text/plain; version=0.0.4", metrics_.Render(), {}, nullptr};
              }});
}

}  // namespace gm::infra::http
