"use strict";
(function () {
  const $ = (id) => document.getElementById(id);

  function showError(problem) {
    $("error").textContent = (problem.title || "Error") + (problem.detail ? ": " + problem.detail : "");
    $("error").hidden = false;
  }

  async function call(method, path, body) {
    const init = { method: method, headers: { "Accept": "application/json" } };
    if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    const response = await fetch(path, init);
    const json = await response.json().catch(() => ({ title: response.statusText }));
    if (!response.ok) {
      throw json;
    }
    return json;
  }

  $("create").addEventListener("submit", async (event) => {
    event.preventDefault();
    $("error").hidden = true;
    $("created").hidden = true;
    const form = new FormData(event.target);
    const body = { url: form.get("url") };
    if (form.get("code")) {
      body.code = form.get("code");
    }
    try {
      const link = await call("POST", "/api/links", body);
      $("short-url").textContent = link.short_url;
      $("short-url").href = link.short_url;
      $("token").textContent = link.manage_token;
      $("created").hidden = false;
    } catch (problem) {
      showError(problem);
    }
  });

  $("lookup").addEventListener("submit", async (event) => {
    event.preventDefault();
    $("error").hidden = true;
    $("stats").hidden = true;
    const code = new FormData(event.target).get("code");
    try {
      const link = await call("GET", "/api/links/" + encodeURIComponent(code));
      $("stats-url").textContent = link.url;
      $("stats-clicks").textContent = link.clicks;
      $("stats-created").textContent = link.created_at;
      $("stats-updated").textContent = link.updated_at;
      $("stats").hidden = false;
    } catch (problem) {
      showError(problem);
    }
  });
})();
