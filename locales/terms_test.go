package locales

import (
	"fmt"
	"strings"
	"testing"
)

// TestSeedTerms (issue 12, point 10): the terms the seeds and Microsoft's localized Services
// Hub pages use, and not the ones they replaced. docs/glossary.md lists them.
func TestSeedTerms(t *testing.T) {
	all, err := MessageFiles()
	if err != nil {
		t.Fatal(err)
	}
	exact := map[string]map[string]string{
		"ru": {
			"admin.tab.newsletter":             "Информационный бюллетень",
			"admin.tab.groups":                 "Группы Microsoft Entra",
			"quickstart.summary.csm":           "Ответственный за поддержку клиента (CSM)",
			"role.csam.name":                   "Менеджер по сопровождению клиентов",
			"people.status.active":             "Активен",
			"people.status.pending":            "Приглашение ожидает ответа",
			"workspaces.member_status.pending": "Приглашение ожидает ответа",
		},
		"fr": {
			"admin.tab.groups":                 "Groupes Microsoft Entra",
			"tenant.agreements.title":          "Contrats",
			"admin.tab.settings":               "Paramètres client",
			"admin.tab.management":             "Gestion des clients",
			"admin.tab.newsletter":             "Bulletin d’informations",
			"role.services_admin.name":         "Administrateur de services",
			"perm.support_contact.name":        "Contact de support",
			"perm.view_all_support_cases.name": "Afficher tous les cas de support",
			"perm.customer_activity.name":      "Activité client",
			"people.status.active":             "Actif",
			"workspaces.member_status.active":  "Actif",
			"people.status.pending":            "Invitation en attente",
			"workspaces.member_status.pending": "Invitation en attente",
		},
		"en": {
			"admin.tab.tenant":                 "Tenant",
			"people.status.active":             "Active",
			"workspaces.member_status.active":  "Active",
			"people.status.pending":            "Invitation pending",
			"workspaces.member_status.pending": "Invitation pending",
		},
	}
	for lang, ids := range exact {
		for id, want := range ids {
			if got, _ := all[lang][id].(string); got != want {
				t.Errorf("%s %s = %q, want %q", lang, id, got, want)
			}
		}
	}
	banned := map[string][]string{
		"ru": {"Рассылк", "рассылк", "каталога", "менеджер по поддержке клиентов", "Менеджер по поддержке клиентов"},
		"fr": {"d’annuaire", "d'annuaire", "Paramètres du client", "Gestion du client", "Bulletins d’information", "Administrateur des services",
			"Contact du support", "dossiers de support", "Activité du client"},
	}
	for lang, words := range banned {
		for id, m := range all[lang] {
			msg := fmt.Sprint(m) // plural messages are maps: their forms are checked too
			for _, w := range words {
				if strings.Contains(msg, w) {
					t.Errorf("%s %s still says %q: %q", lang, id, w, msg)
				}
			}
		}
	}
}
