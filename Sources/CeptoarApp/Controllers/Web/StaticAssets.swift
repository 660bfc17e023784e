import CeptoarKit
import Crypto
import Vapor

/// The stylesheet and the one script the pages use, served from the site itself: the
/// Content-Security-Policy allows scripts and styles from 'self' only, never inline, so an
/// injected `<script>` or `style=` in a page does nothing even if escaping were ever missed.
struct StaticAssets: RouteCollection {
    static let stylesheetPath = "/static/ceptoar.css"
    static let liveScriptPath = "/static/live.js"

    static let stylesheet = Layout.style + CharacteristicsMap.tableStyle

    /// Live updates: the server pushes an event when an advisory or an alert reaches this
    /// organisation, or one of its reports is returned; the page shows its banner (and, on the
    /// inbox, links the alert; on report pages, the report).
    static let liveScript = """
        (function () {
          if (!window.EventSource) return;
          var script = document.currentScript;
          var linkAlerts = script && script.dataset.liveAlertLinks === 'yes';
          // A browser opens at most six connections to one server, and each live stream holds
          // one: a page hidden in another tab, or kept in the back-forward cache, lets its
          // stream go, so the tab in front can always load and submit. It is opened again
          // (and the counts read again) when the page is shown.
          var s = null;
          function connect() {
            if (s) return;
            s = new EventSource('/inbox/events');
            s.onopen = function () { document.body.dataset.live = 'connected'; };
            ['delivery', 'report', 'alert'].forEach(function (name) { s.addEventListener(name, refreshHome); });
            s.addEventListener('delivery', function () {
              var banner = document.getElementById('live'); if (banner) banner.hidden = false;
            });
            s.addEventListener('report', function (e) {
              var b = document.getElementById('live-report'); if (!b) return;
              b.hidden = false;
              try { b.querySelector('a').href = '/reports/' + encodeURIComponent(String(JSON.parse(e.data).report).toLowerCase()); } catch (ignored) {}
            });
            s.addEventListener('alert', function (e) {
              var b = document.getElementById('live-alert'); if (!b) return;
              b.hidden = false;
              if (linkAlerts) {
                try { b.querySelector('a').href = '/alerts/' + encodeURIComponent(String(JSON.parse(e.data).alert).toLowerCase()); } catch (ignored) {}
              }
            });
          }
          function disconnect() {
            if (!s) return;
            s.close(); s = null;
            document.body.dataset.live = 'paused';
          }
          // The home page: every event may change a count, so the counts are read again.
          var home = document.getElementById('home-work');
          function refreshHome() {
            if (!home || !window.fetch) return;
            fetch('/api/v1/home', {credentials: 'same-origin', headers: {'Accept': 'application/json'}})
              .then(function (r) { return r.ok ? r.json() : null; })
              .then(function (h) {
                if (!h) return;
                var values = {};
                Object.keys(h.work).forEach(function (k) { if (k !== 'week') values[k] = h.work[k]; });
                Object.keys(h.work.week).forEach(function (k) { values['week.' + k] = h.work.week[k]; });
                document.querySelectorAll('[data-count]').forEach(function (e) {
                  var v = values[e.dataset.count];
                  if (typeof v === 'number') {
                    e.textContent = v.toLocaleString('en-US');
                    var tile = e.parentNode; if (tile.classList.contains('tile') && v > 0 && tile.dataset.urgent === 'yes') tile.classList.add('hot');
                  }
                });
                document.body.dataset.homeRefreshed = String(Date.now());
              }).catch(function () {});
          }
          if (document.visibilityState !== 'hidden') connect();
          document.addEventListener('visibilitychange', function () {
            if (document.visibilityState === 'hidden') { disconnect(); } else { connect(); refreshHome(); }
          });
          window.addEventListener('pagehide', disconnect);
          window.addEventListener('pageshow', function (e) { if (e.persisted) { connect(); refreshHome(); } });
        })();
        """

    func boot(routes: any RoutesBuilder) throws {
        routes.get("static", "ceptoar.css") { _ in Self.asset(Self.stylesheet, type: HTTPMediaType(type: "text", subType: "css", parameters: ["charset": "utf-8"])) }
        routes.get("static", "live.js") { _ in Self.asset(Self.liveScript, type: HTTPMediaType(type: "text", subType: "javascript", parameters: ["charset": "utf-8"])) }
    }

    private static func asset(_ text: String, type: HTTPMediaType) -> Response {
        var headers = HTTPHeaders()
        headers.contentType = type
        headers.replaceOrAdd(name: .cacheControl, value: "public, max-age=300")
        return Response(status: .ok, headers: headers, body: .init(string: text))
    }

    /// The CSP source for the one inline `<style>` Ceptoar sends: the standalone map document
    /// (a file to save and open on its own, so its style travels inside it).
    static let mapDocumentStyleHash: String = {
        let digest = SHA256.hash(data: Data(CharacteristicsMap.tableStyle.utf8))
        return "'sha256-\(Data(digest).base64EncodedString())'"
    }()
}
