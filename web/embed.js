/* fedblog comments for any web page (Hugo, Jekyll, WordPress, plain HTML):
 *   <div data-fedblog-comments="https://blog.example/posts/my-post"></div>
 *   <script src="https://blog.example/embed.js" async></script>
 * Each such element gets an <iframe> of https://blog.example/embed/my-post. The thread never enters this
 * page: it lives in a sandboxed frame of the blog's origin (no same-origin access, no top navigation, no
 * dialogs), whose only script, fixed by a hash in its Content-Security-Policy, reports its height. This
 * script reads nothing from the frame but that number, and writes no markup: it builds the frame with DOM
 * calls. */
(function () {
  "use strict";
  var self = document.currentScript;
  if (!self || !self.src) return;
  var origin = new URL(self.src).origin;
  var frames = [];

  function mount(element) {
    if (element.hasAttribute("data-fedblog-mounted")) return;
    var post;
    try {
      post = new URL(element.getAttribute("data-fedblog-comments"), document.baseURI);
    } catch (e) {
      return;
    }
    var slug = post.pathname.indexOf("/posts/") === 0 ? post.pathname.slice(7) : "";
    if (post.origin !== origin || !slug || slug.indexOf("/") !== -1) {
      if (window.console) console.warn("fedblog: data-fedblog-comments must be a post address on " + origin);
      return;
    }
    var frame = document.createElement("iframe");
    frame.src = origin + "/embed/" + slug;
    frame.title = element.getAttribute("data-fedblog-title") || "Comments";
    frame.setAttribute("sandbox", "allow-scripts allow-popups allow-popups-to-escape-sandbox");
    frame.setAttribute("referrerpolicy", "strict-origin-when-cross-origin");
    frame.style.display = "block";
    frame.style.width = "100%";
    frame.style.border = "0";
    frame.style.height = "24rem";
    element.setAttribute("data-fedblog-mounted", "");
    element.appendChild(frame);
    frames.push(frame);
  }

  // Only a number from one of our frames is read, and clamped.
  window.addEventListener("message", function (event) {
    var data = event.data;
    if (!data || typeof data.fedblogEmbedHeight !== "number" || !isFinite(data.fedblogEmbedHeight)) return;
    for (var i = 0; i < frames.length; i++) {
      if (event.source !== frames[i].contentWindow) continue;
      frames[i].style.height = Math.min(Math.max(Math.ceil(data.fedblogEmbedHeight), 80), 200000) + "px";
    }
  });

  function mountAll() {
    var found = document.querySelectorAll("[data-fedblog-comments]");
    for (var i = 0; i < found.length; i++) mount(found[i]);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", mountAll);
  else mountAll();
})();
