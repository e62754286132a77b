package web

// The shell's layout checks (issue 13): every page a Global Admin can open, on a 360 px phone
// and a 1366 px laptop, in English, French and Russian. A page fails when it scrolls sideways,
// when a row's action lies outside the window, when its heading starts lower than 200 px on the
// phone, or when a navigation item wraps onto a line of its own on the laptop.

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"hubadmin/store"
)

// shellGallery are the pages whose shell screenshots -screenshots writes at both widths.
var shellGallery = map[string]bool{"admin": true, "workspaces": true, "audit": true, "roles": true}

// TestBrowserShellLayout walks every page at 360 and 1366 px in en, fr and ru.
func TestBrowserShellLayout(t *testing.T) {
	needChromium(t)
	a := newApp(t)
	shellAuditWorld(t, a)
	pages := append([]string{"/roles"}, a.pagesToCrawl(t)...)
	for _, lang := range []string{"en", "fr", "ru"} {
		for _, width := range []int64{360, 1366} {
			t.Run(fmt.Sprintf("%s/%d", lang, width), func(t *testing.T) {
				tb := newTab(t, a, tabOptions{lang: lang, width: width})
				tb.signInDirect(globalAdminEmail)
				for _, p := range pages {
					if status := tb.visit(p); status >= 400 || !tb.isHTML() {
						continue
					}
					tb.wantNoSideScroll()
					for _, problem := range tb.shellProblems() {
						t.Errorf("at %s (%s, %dpx): %s", p, lang, width, problem)
					}
					if name := screenshotName(p); shellGallery[name] {
						tb.screenshot(fmt.Sprintf("%s-%s-%d", name, lang, width))
					}
				}
			})
		}
	}
}

// shellLayoutCheck returns what is wrong with the page's layout, in words. Row actions are the
// buttons and button-styled links in a data table's rows; they must lie inside the window (not
// behind a sideways scroll). The heading is the page's h1. Navigation items are the rail's links
// (their text must fit on one line at 1366 px) and the in-page tabs (one row).
const shellLayoutCheck = `(function () {
  var out = [];
  var w = document.documentElement.clientWidth;
  var narrow = w <= 480;
  document.querySelectorAll("table.data tbody :is(td, th) :is(a.btn, a.btn-secondary, a.btn-quiet, a.btn-small, button)").forEach(function (el) {
    if (el.closest("[hidden], details:not([open])")) return;
    var r = el.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) return;
    if (r.right > w + 1 || r.left < -1) {
      out.push("row action \"" + el.textContent.replace(/\s+/g, " ").trim().slice(0, 50) + "\" spans x=" + Math.round(r.left) + "–" + Math.round(r.right) + " of " + w);
    }
  });
  var h1 = document.querySelector("main h1");
  if (!h1) {
    out.push("no h1 in main");
  } else if (narrow) {
    var top = h1.getBoundingClientRect().top + window.scrollY;
    if (top > 200) out.push("the heading starts at y=" + Math.round(top) + " (over 200)");
  }
  if (!narrow) {
    document.querySelectorAll(".rail a").forEach(function (a) {
      var range = document.createRange();
      range.selectNodeContents(a);
      var lines = {};
      Array.prototype.forEach.call(range.getClientRects(), function (r) { if (r.width > 0) lines[Math.round(r.top)] = true; });
      if (Object.keys(lines).length > 1) out.push("the nav item \"" + a.textContent.trim() + "\" wraps onto " + Object.keys(lines).length + " lines");
    });
    document.querySelectorAll("nav.tabs ul").forEach(function (ul) {
      var tops = {};
      Array.prototype.forEach.call(ul.children, function (li) { tops[Math.round(li.getBoundingClientRect().top)] = true; });
      if (Object.keys(tops).length > 1) out.push("the tabs \"" + ul.textContent.replace(/\s+/g, " ").trim().slice(0, 60) + "\" wrap onto " + Object.keys(tops).length + " rows");
    });
  }
  return out;
})()`

func (tb *tab) shellProblems() []string {
	tb.t.Helper()
	return eval[[]string](tb, shellLayoutCheck)
}

// TestBrowserShellChecksCanFail plants each fault the layout check is for into a real page and
// expects it reported: a row action pushed off-screen, a heading pushed down, a wrapping nav item.
func TestBrowserShellChecksCanFail(t *testing.T) {
	needChromium(t)
	a := newApp(t)
	narrow := newTab(t, a, tabOptions{lang: "ru", width: 360})
	narrow.signInDirect(globalAdminEmail)
	narrow.open("/admin/workspaces", 200)
	if got := narrow.shellProblems(); len(got) != 0 {
		t.Fatalf("before planting, the check already reports: %v", got)
	}
	eval[bool](narrow, `document.querySelector("main h1").style.marginTop = "400px"; document.querySelector("table.data tbody td .actions a").style.marginLeft = "900px"; true`)
	got := fmt.Sprint(narrow.shellProblems())
	for _, want := range []string{"the heading starts at", "row action"} {
		if !strings.Contains(got, want) {
			t.Errorf("the check missed %q; it found %s", want, got)
		}
	}
	wide := newTab(t, a, tabOptions{lang: "fr", width: 1366})
	wide.signInDirect(globalAdminEmail)
	wide.open("/admin", 200)
	eval[bool](wide, `document.querySelector(".rail a").textContent = "Un élément de navigation beaucoup trop long pour tenir sur une seule ligne du rail"; true`)
	if got := fmt.Sprint(wide.shellProblems()); !strings.Contains(got, "wraps onto") {
		t.Errorf("the check missed the wrapping nav item; it found %s", got)
	}
}

// shellAuditWorld makes a few changes through the store, so that the audit log has entries in
// words to lay out (and to show in its screenshots): a workspace renamed, the MSA exception
// switched, a tenant setting changed.
func shellAuditWorld(t *testing.T, a *app) {
	t.Helper()
	ctx := context.Background()
	admin, err := a.db.PersonByEmail(ctx, globalAdminEmail)
	if err != nil {
		t.Fatal(err)
	}
	actor := store.Actor{PersonID: admin.ID, Email: admin.Email}
	ws, err := a.db.Workspace(ctx, a.ids.contoso, a.ids.wsLabs)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.db.UpdateWorkspace(ctx, actor, a.ids.contoso, ws.ID, ws.Version, store.WorkspaceInput{Name: "Contoso Research Labs", Description: ws.Description, AgreementID: ws.AgreementID}); err != nil {
		t.Fatal(err)
	}
	if err := a.db.SetMSAException(ctx, actor, a.ids.contoso, a.ids.wsSandbox, false); err != nil {
		t.Fatal(err)
	}
	tn, err := a.db.Tenant(ctx, a.ids.contoso)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.db.SetTenantSetting(ctx, actor, a.ids.contoso, store.SettingInProductFeedback, !store.SettingInProductFeedback.Of(tn), tn.Version); err != nil {
		t.Fatal(err)
	}
}
