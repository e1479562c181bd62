/*
 * The sign-in page (/): signs in, then opens the page of the client's
 * role, handing it the CSRF token in the URL fragment (never sent to a
 * server); an admin chooses between the two.
 */
"use strict";

(function () {
  var H = window.Hotline;

  function target(page, role) {
    return page + "#csrf=" + encodeURIComponent(H.csrf()) + "&lang=" +
      H.lang() + "&role=" + encodeURIComponent(role);
  }

  H.page({
    roles: ["operator", "supervisor"],
    ready: function (role) {
      if (!H.csrf()) return;
      if (role === "operator") {
        location.assign(target("desk", role));
      } else if (role === "supervisor") {
        location.assign(target("wallboard", role));
      } else {
        document.getElementById("go-desk").setAttribute("href",
          target("desk", role));
        document.getElementById("go-wallboard").setAttribute("href",
          target("wallboard", role));
        H.onLang(function () {
          document.getElementById("go-desk").setAttribute("href",
            target("desk", role));
          document.getElementById("go-wallboard").setAttribute("href",
            target("wallboard", role));
        });
        document.getElementById("go-desk").focus();
      }
    }
  });
})();
