/* The engine's own parseFloat, parseInt and String.prototype.trim, back.

   babel-polyfill 7.12, which dash-renderer loads first, replaces them (and Number.parseFloat,
   Number.parseInt, trimStart, trimEnd) with JavaScript versions when the engine does not count
   U+180E as white space. No current engine does (Unicode 6.3 made it an ordinary character), so
   they are replaced in every browser. plotly.js calls them on nearly every number, class and style
   it handles, and each replacement runs a regular expression per call: about 200 ms of script
   time on the first view here. The engine's functions are taken from a fresh realm (a blank
   iframe) before any chart is drawn. The only difference is the one the polyfill tests for: a
   leading or trailing U+180E is kept, as the standard now says. */
(function () {
  "use strict";
  var replaced = parseFloat("\u180e1") === 1 || "\u180e".trim() === "";
  if (!replaced) { return; }
  var frame = document.createElement("iframe");
  frame.style.display = "none";
  frame.setAttribute("aria-hidden", "true");
  frame.tabIndex = -1;
  (document.head || document.documentElement).appendChild(frame);
  var own = frame.contentWindow;
  if (own && own.parseFloat("\u180e1") !== 1 && own.String.prototype.trim.call("\u180e") !== "") {
    window.parseFloat = Number.parseFloat = own.parseFloat;
    window.parseInt = Number.parseInt = own.parseInt;
    ["trim", "trimStart", "trimEnd", "trimLeft", "trimRight"].forEach(function (name) {
      if (typeof own.String.prototype[name] === "function") {
        Object.defineProperty(String.prototype, name, {value: own.String.prototype[name], writable: true,
                                                       configurable: true, enumerable: false});
      }
    });
  }
  frame.remove();
})();
