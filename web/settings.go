package web

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"hubadmin/store"
	"hubadmin/views"
)

// settingsShow is the Tenant settings tab.
func (s *Server) settingsShow(c echo.Context) error {
	return s.renderSettings(c, http.StatusOK, req(c).Viewer.Tenant, "", "")
}

// renderSettings shows the settings of tenant t with an optional status or problem message.
func (s *Server) renderSettings(c echo.Context, status int, t store.Tenant, statusID, problemID string) error {
	d := views.SettingsData{Version: t.Version, Status: statusID, Problem: problemID}
	for _, key := range store.TenantSettings() {
		d.Settings = append(d.Settings, views.SettingState{Key: key, On: key.Of(t)})
	}
	if isHTMX(c) && c.Request().Method == http.MethodPost {
		return s.render(c, status, views.SettingsSection(s.page(c, "settings.title"), d))
	}
	return s.render(c, status, views.SettingsPage(s.page(c, "settings.title"), d))
}

// settingsSave switches one setting to the state the request carries ("value" is the target
// state, never "flip"). htmx gets the section back with a status message; a plain form gets a
// redirect and the same message as a flash.
func (s *Server) settingsSave(c echo.Context) error {
	v, err := form(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	tenant := req(c).Viewer.Tenant
	key := store.TenantSetting(field(v, "setting"))
	on, ok := fieldBool(v, "value")
	if !ok || !key.Valid() {
		return s.renderSettings(c, http.StatusUnprocessableEntity, tenant, "", "settings.error.request")
	}
	err = s.db.SetTenantSetting(ctx, actorOf(c), tenant.ID, key, on, fieldInt(v, "version"))
	if errors.Is(err, store.ErrConflict) {
		current, err := s.db.Tenant(ctx, tenant.ID)
		if err != nil {
			return err
		}
		return s.renderSettings(c, http.StatusConflict, current, "", "settings.conflict")
	}
	if _, invalid := fieldErrors(err); invalid {
		return s.renderSettings(c, http.StatusUnprocessableEntity, tenant, "", "settings.error.request")
	}
	if err != nil {
		return err
	}
	saved := settingSavedMessage(key, on)
	if isHTMX(c) {
		current, err := s.db.Tenant(ctx, tenant.ID)
		if err != nil {
			return err
		}
		return s.renderSettings(c, http.StatusOK, current, saved, "")
	}
	if err := s.flash(c, saved); err != nil {
		return err
	}
	return seeOther(c, "/admin/settings")
}

// settingSavedMessage is the message ID confirming that a setting is now on or off.
func settingSavedMessage(key store.TenantSetting, on bool) string {
	state := "off"
	if on {
		state = "on"
	}
	return "settings." + string(key) + ".saved_" + state
}
