import Nozzle

/// The status page for a person: `--status-path?html`. The pool's figures, each route's latency,
/// and every request in flight, the oldest first; it fetches `?full` again every two seconds.
///
/// Everything shown is set as text, never as markup: paths and ids come from clients.
enum StatusHTML {
    /// Only this page's own script and style, and fetches of the status itself.
    static let contentSecurityPolicy = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'"

    /// The page, with `status` (the JSON of `?full`) in it, so that it shows at once.
    static func page(_ status: JSON) -> String {
        // In a script element, `<` could end it (`</script>`): JSON may write it as \u003c instead.
        let data = status.text.replacing("<", with: "\\u003c")
        return head + "<script>const initial = " + data + ";\n" + script + "</script>\n</body>\n</html>\n"
    }

    private static let head = """
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>Nozzle status</title>
        <style>
        body { font: 16px/1.4 system-ui, sans-serif; margin: 24px; color: #111; background: #fff; }
        h1 { font-size: 22px; margin: 0 0 4px; }
        h2 { font-size: 18px; margin: 24px 0 8px; }
        #updated { color: #555; }
        dl { display: grid; grid-template-columns: repeat(6, auto); gap: 4px 16px; justify-content: start; }
        dt { color: #555; } dd { margin: 0; font-weight: 600; }
        table { border-collapse: collapse; font: 15px/1.4 ui-monospace, monospace; }
        th, td { text-align: left; padding: 4px 12px; border-bottom: 1px solid #ddd; }
        th { background: #f3f3f3; }
        td.number { text-align: right; }
        tr.running td { background: #fff4d6; }
        </style>
        </head>
        <body>
        <h1>Nozzle status: <span id="pool"></span></h1>
        <div id="updated"></div>
        <h2>Pool</h2>
        <dl id="figures"></dl>
        <h2>Requests in flight (<span id="count"></span>)</h2>
        <table id="requests"><thead><tr><th>pid</th><th>id</th><th>method</th><th>route</th><th>path</th><th>seconds</th><th>state</th></tr></thead><tbody></tbody></table>
        <h2>Routes</h2>
        <table id="routes"><thead><tr><th>route</th><th>requests</th><th>5xx</th><th>p50 ms</th><th>p90 ms</th><th>p99 ms</th></tr></thead><tbody></tbody></table>

        """

    private static let script = """
        const figures = [
          ["processes", "processes"], ["accepted requests", "accepted_requests"], ["active workers", "active_workers"],
          ["total workers", "total_workers"], ["in flight", "in_flight"], ["waiting", "waiting"], ["queued", "queued"],
          ["most in flight", "most_in_flight"], ["listen queue", "listen_queue"], ["slow requests", "slow_requests"],
          ["uptime seconds", "uptime_seconds"], ["pid", "pid"],
        ];
        function cell(row, value, number) {
          const td = row.insertCell();
          td.textContent = value === null || value === undefined ? "" : String(value);
          if (number) td.className = "number";
        }
        function render(status) {
          document.getElementById("pool").textContent = status.pool;
          document.getElementById("updated").textContent = "as of " + new Date().toLocaleTimeString();
          const list = document.getElementById("figures");
          list.replaceChildren();
          for (const [label, key] of figures) {
            const dt = document.createElement("dt"); dt.textContent = label;
            const dd = document.createElement("dd"); dd.textContent = status[key] === null ? "-" : String(status[key]);
            list.append(dt, dd);
          }
          const requests = status.requests || [];
          document.getElementById("count").textContent = String(requests.length);
          const body = document.querySelector("#requests tbody");
          body.replaceChildren();
          for (const request of requests.slice(0, 500)) {
            const row = body.insertRow();
            if (request.state === "running") row.className = "running";
            cell(row, request.pid); cell(row, request.id); cell(row, request.method); cell(row, request.route);
            cell(row, request.path); cell(row, request.seconds.toFixed(1), true); cell(row, request.state);
          }
          const routes = document.querySelector("#routes tbody");
          routes.replaceChildren();
          for (const route of status.routes || []) {
            const row = routes.insertRow();
            cell(row, route.route); cell(row, route.count, true); cell(row, route.errors, true);
            cell(row, route.p50_ms, true); cell(row, route.p90_ms, true); cell(row, route.p99_ms, true);
          }
        }
        render(initial);
        setInterval(async () => {
          try {
            const response = await fetch(location.pathname + "?full", { cache: "no-store" });
            if (response.ok) render(await response.json());
          } catch (error) {
            document.getElementById("updated").textContent = "could not refresh: " + error;
          }
        }, 2000);

        """
}
