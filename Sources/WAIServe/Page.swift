/// The one page of `wai serve`: self-contained (its style and script inline, allowed by the
/// response's nonce; nothing from the network). Every text from the server is set with
/// `textContent`, never parsed as HTML.
enum Page {
    static func html(nonce: String, maxUploadBytes: Int) -> String {
        let limit = ServeOptions.describe(bytes: maxUploadBytes)
        return """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8"/>
        <meta name="viewport" content="width=device-width, initial-scale=1"/>
        <meta name="generator" content="wai serve"/>
        <title>wai: survey indices</title>
        <style nonce="\(nonce)">
        \(style)
        </style>
        </head>
        <body>
        <header>
          <h1>wai <span>Weighted Average Index tables from Likert survey responses</span></h1>
          <p class="local">This page runs on your own computer: the files you drop stay in wai's working folder and go nowhere else.</p>
          <p id="status" class="status" data-state="idle" role="status">No file yet.</p>
        </header>
        <main>
        <section id="step-upload" class="card">
          <h2><span class="step">1</span> Responses</h2>
          <label id="drop" class="drop" for="file">
            <strong>Drop a responses file here</strong> or <u>choose one</u>
            <small>CSV or TSV (Google Forms, KoboToolbox, Qualtrics, SurveyMonkey, LimeSurvey…), an Excel workbook (.xlsx), SPSS .sav or Stata .dta; at most \(limit).</small>
            <input id="file" type="file" accept=".csv,.tsv,.txt,.xlsx,.sav,.dta"/>
          </label>
          <pre id="error" class="error" hidden></pre>
        </section>
        <section id="step-spec" class="card" hidden>
          <h2><span class="step">2</span> Spec <small>survey.yaml, as <code>wai init</code> inferred it: check and edit it</small></h2>
          <p id="summary" class="summary"></p>
          <ul id="warnings" class="warnings"></ul>
          <textarea id="spec" spellcheck="false" aria-label="survey.yaml"></textarea>
          <pre id="spec-error" class="error" hidden></pre>
          <p class="actions"><button id="analyse" type="button">Analyse</button> <a id="spec-link" class="download" href="#">Download survey.yaml</a></p>
        </section>
        <section id="step-report" class="card" hidden>
          <h2><span class="step">3</span> Report <small id="report-title"></small></h2>
          <p id="sample" class="summary"></p>
          <p class="actions">
            <a id="zip-link" class="button" href="#">Download the report (zip)</a>
            <a id="xlsx-link" class="download" href="#">Workbook (.xlsx)</a>
            <a id="json-link" class="download" href="#">JSON</a>
            <a id="report-link" class="download" href="#" target="_blank" rel="noopener">Open the report on its own</a>
          </p>
          <div id="indices"></div>
          <iframe id="report" title="The report" sandbox="allow-same-origin allow-popups"></iframe>
        </section>
        </main>
        <script nonce="\(nonce)">
        \(script(maxUploadBytes: maxUploadBytes, limit: limit))
        </script>
        </body>
        </html>

        """
    }

    static let style = """
        :root { --ink: #1d2430; --muted: #5b6472; --line: #d9dee5; --accent: #1f5fa8; --accent-soft: #e8f0fa; --bad: #a3261b; --bad-soft: #fbeceb; }
        * { box-sizing: border-box; }
        body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Noto Sans Khmer", sans-serif; color: var(--ink); background: #f4f6f9; }
        header { background: #fff; border-bottom: 1px solid var(--line); padding: 14px 32px 10px; position: sticky; top: 0; z-index: 1; display: grid; grid-template-columns: 1fr auto; column-gap: 24px; align-items: center; }
        header h1 { grid-column: 1; } header .local { grid-column: 1; } header .status { grid-column: 2; grid-row: 1 / span 2; margin: 0; max-width: 420px; text-align: right; }
        h1 { margin: 0; font-size: 24px; letter-spacing: .02em; }
        h1 span { font-size: 15px; font-weight: normal; color: var(--muted); margin-left: 10px; }
        .local { margin: 4px 0 0; color: var(--muted); font-size: 13px; }
        main { max-width: 1120px; margin: 0 auto; padding: 20px 24px 48px; }
        .card { background: #fff; border: 1px solid var(--line); border-radius: 10px; padding: 18px 22px; margin-bottom: 18px; box-shadow: 0 1px 2px rgba(0,0,0,.04); }
        h2 { margin: 0 0 12px; font-size: 18px; display: flex; align-items: baseline; gap: 10px; flex-wrap: wrap; }
        h2 small { font-size: 13px; font-weight: normal; color: var(--muted); }
        .step { display: inline-block; width: 26px; height: 26px; line-height: 26px; text-align: center; border-radius: 50%; background: var(--accent); color: #fff; font-size: 14px; }
        .drop { display: block; border: 2px dashed #9fb3cc; border-radius: 10px; padding: 26px; text-align: center; cursor: pointer; background: #fafcff; }
        .drop:hover, .drop.over { border-color: var(--accent); background: var(--accent-soft); }
        .drop small { display: block; margin-top: 6px; color: var(--muted); }
        .drop u { color: var(--accent); }
        .drop input { position: absolute; width: 1px; height: 1px; opacity: 0; }
        .status { margin: 12px 0 0; color: var(--muted); }
        .status[data-state="error"] { color: var(--bad); font-weight: 600; }
        .status[data-state="done"], .status[data-state="inferred"] { color: #1d6b35; font-weight: 600; }
        .status[data-state="busy"]::before { content: ""; display: inline-block; width: 12px; height: 12px; margin-right: 8px; border: 2px solid var(--accent); border-right-color: transparent; border-radius: 50%; animation: spin .8s linear infinite; vertical-align: -1px; }
        @keyframes spin { to { transform: rotate(360deg); } }
        .error { margin: 12px 0 0; padding: 10px 12px; background: var(--bad-soft); color: var(--bad); border-left: 4px solid var(--bad); white-space: pre-wrap; font: 13px/1.45 ui-monospace, "DejaVu Sans Mono", monospace; }
        .summary { margin: 0 0 8px; color: var(--muted); }
        .warnings { margin: 0 0 8px; padding-left: 20px; color: #8a5a00; }
        textarea { width: 100%; min-height: 340px; font: 13px/1.45 ui-monospace, "DejaVu Sans Mono", monospace; border: 1px solid var(--line); border-radius: 6px; padding: 10px; resize: vertical; tab-size: 2; }
        .actions { margin: 12px 0 0; display: flex; gap: 14px; align-items: center; flex-wrap: wrap; }
        button, .button { font: inherit; background: var(--accent); color: #fff; border: 0; border-radius: 6px; padding: 8px 18px; cursor: pointer; text-decoration: none; }
        button:disabled { background: #9aa7b8; cursor: progress; }
        .download { color: var(--accent); }
        #indices table { border-collapse: collapse; width: 100%; margin: 14px 0 6px; font-size: 14px; }
        #indices caption { text-align: left; font-weight: 600; padding: 6px 0; }
        #indices th, #indices td { border-bottom: 1px solid var(--line); padding: 5px 8px; text-align: left; vertical-align: top; }
        #indices th { background: #f0f3f7; font-weight: 600; }
        #indices td.num, #indices th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
        #indices tr.composite td { font-weight: 600; background: #fafbfd; }
        #indices .bar { display: inline-block; height: 10px; background: var(--accent); border-radius: 2px; vertical-align: middle; margin-right: 6px; }
        iframe { width: 100%; height: 80vh; min-height: 560px; border: 1px solid var(--line); border-radius: 6px; margin-top: 16px; background: #fff; }
        """

    static func script(maxUploadBytes: Int, limit: String) -> String {
        """
        "use strict";
        const maxUpload = \(maxUploadBytes);
        const $ = (id) => document.getElementById(id);
        let upload = null;

        function status(text, state) { const s = $("status"); s.textContent = text; s.dataset.state = state; }
        function showError(text, where) { for (const id of ["error", "spec-error"]) { const e = $(id); const shown = id === (where || "error") && !!text; e.textContent = shown ? text : ""; e.hidden = !shown; } }
        function element(tag, text, cls) { const e = document.createElement(tag); if (text !== undefined) e.textContent = text; if (cls) e.className = cls; return e; }
        async function reply(response) {
          let body = null;
          try { body = await response.json(); } catch (_) { body = { error: "the server answered " + response.status + " " + response.statusText }; }
          if (!response.ok) { const error = new Error(body.error || ("HTTP " + response.status)); error.body = body; throw error; }
          return body;
        }

        async function send(file) {
          if (!file) return;
          showError("");
          $("step-report").hidden = true;
          if (file.size > maxUpload) {
            status("Not uploaded.", "error");
            showError(file.name + " is larger than the limit of \(limit) (wai serve --max-upload-mb).");
            return;
          }
          status("Uploading " + file.name + " and inferring its spec…", "busy");
          try {
            const body = await reply(await fetch("/upload", { method: "POST", body: file,
              headers: { "X-File-Name": encodeURIComponent(file.name), "X-WAI-Request": "1", "Content-Type": "application/octet-stream" } }));
            upload = body;
            $("spec").value = body.spec;
            $("summary").textContent = file.name + ": " + body.summary + ".";
            const warnings = $("warnings"); warnings.replaceChildren(...body.warnings.map((w) => element("li", w)));
            $("spec-link").href = body.spec_url;
            $("step-spec").hidden = false;
            status(file.name + " uploaded. Check the spec, then Analyse.", "inferred");
          } catch (error) {
            status("The file could not be read: see below.", "error");
            showError(error.message);
            if (error.body && error.body.id) {
              // The file is kept: a spec written by hand can still analyse it.
              upload = { id: error.body.id, name: error.body.name };
              $("spec").value = "# wai could not infer a spec from this file; write one (Surveys/SPEC.md).\\ntitle: \\"" + error.body.name + "\\"\\ndata: \\"" + error.body.name + "\\"\\n";
              $("summary").textContent = "";
              $("warnings").replaceChildren();
              $("spec-link").href = "#";
              $("step-spec").hidden = false;
            }
          }
        }

        function indexTable(table) {
          const t = element("table"); t.dataset.table = table.id;
          t.append(element("caption", table.title));
          const head = element("tr");
          head.append(element("th", "Item"), element("th", "n", "num"), element("th", "WAI", "num"), element("th", "Band"), element("th", ""));
          t.append(element("thead")); t.tHead.append(head);
          const body = element("tbody"); t.append(body);
          const row = (id, text, n, wai, reported, band, cls) => {
            const r = element("tr", undefined, cls); r.dataset.item = id;
            const cell = element("td", reported === undefined ? "–" : reported, "num wai"); if (wai !== undefined) cell.dataset.wai = String(wai);
            const bar = element("td"); if (wai !== undefined) { const b = element("span", undefined, "bar"); b.style.width = Math.max(0, Math.min(1, wai)) * 160 + "px"; bar.append(b); }
            r.append(element("td", text), element("td", n === undefined ? "" : String(n), "num"), cell, element("td", band || ""), bar);
            body.append(r);
          };
          for (const item of table.items) row(item.id, item.text || item.id, item.n, item.wai, item.wai_reported, item.band);
          if (table.composite) row("OA", "OA (mean of " + table.composite.items + " items)", undefined, table.composite.wai, table.composite.wai_reported, table.composite.band, "composite");
          return t;
        }

        async function analyse() {
          if (!upload) return;
          showError("");
          $("analyse").disabled = true;
          status("Analysing " + (upload.name || "the upload") + "…", "busy");
          try {
            const body = await reply(await fetch("/r/" + upload.id + "/analyse", { method: "POST", body: $("spec").value,
              headers: { "Content-Type": "application/yaml; charset=utf-8", "X-WAI-Request": "1" } }));
            $("report-title").textContent = body.title;
            $("sample").textContent = body.respondents + " respondents; rows read " + body.rows_read + " = used " + body.respondents + " + rejected " + body.rows_rejected + "."
              + (body.warnings.length ? " Warnings: " + body.warnings.join(" ") : "");
            $("zip-link").href = body.zip; $("xlsx-link").href = body.xlsx; $("json-link").href = body.json; $("report-link").href = body.report;
            $("spec-link").href = body.spec;
            $("indices").replaceChildren(...body.tables.map(indexTable));
            const frame = $("report");
            frame.onload = () => {
              status("Report ready: " + body.tables.length + " table" + (body.tables.length === 1 ? "" : "s") + ".", "done");
            };
            frame.src = body.report + "?t=" + Date.now();
            $("step-report").hidden = false;
          } catch (error) {
            status("The analysis stopped: see under the spec.", "error");
            $("step-report").hidden = true;
            showError(error.message, "spec-error");
            $("spec-error").scrollIntoView({ block: "center" });
          } finally {
            $("analyse").disabled = false;
          }
        }

        $("file").addEventListener("change", (e) => send(e.target.files[0]));
        $("analyse").addEventListener("click", analyse);
        const drop = $("drop");
        for (const name of ["dragenter", "dragover"]) drop.addEventListener(name, (e) => { e.preventDefault(); drop.classList.add("over"); });
        for (const name of ["dragleave", "drop"]) drop.addEventListener(name, (e) => { e.preventDefault(); drop.classList.remove("over"); });
        drop.addEventListener("drop", (e) => send(e.dataTransfer.files[0]));
        document.addEventListener("dragover", (e) => e.preventDefault());
        document.addEventListener("drop", (e) => e.preventDefault());
        """
    }
}
