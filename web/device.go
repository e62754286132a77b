package web

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
)

// knownDeviceCookie marks a browser where a person signed in successfully. It is signed with the
// session key and names the person by id; it exempts its holder from the sign-in delays of that
// account (see throttle), so an attacker guessing at the account can't keep its owner out. It
// proves nothing by itself: the password (and the second step) are still required.
const knownDeviceCookie = "hubadmin_device"

// knownDeviceLife is how long a browser stays known after its last successful sign-in.
const knownDeviceLife = 90 * 24 * time.Hour

func (s *Server) deviceMAC(personID int64, issued int64) string {
	mac := hmac.New(sha256.New, s.cfg.SessionKey)
	mac.Write([]byte("known-device\x00"))
	mac.Write([]byte(strconv.FormatInt(personID, 10) + "\x00" + strconv.FormatInt(issued, 10)))
	return base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

// rememberDevice sets the known-device cookie for personID.
func (s *Server) rememberDevice(c echo.Context, personID int64) {
	issued := s.db.Now().Unix()
	v := strconv.FormatInt(personID, 10) + "." + strconv.FormatInt(issued, 10) + "." + s.deviceMAC(personID, issued)
	c.SetCookie(&http.Cookie{Name: s.cookieName(knownDeviceCookie), Value: v, Path: "/", HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: s.cfg.SecureCookies, MaxAge: int(knownDeviceLife / time.Second)})
}

// knownDevice reports whether the request carries a valid, unexpired known-device cookie for
// personID.
func (s *Server) knownDevice(c echo.Context, personID int64) bool {
	if personID == 0 {
		return false
	}
	ck, err := c.Cookie(s.cookieName(knownDeviceCookie))
	if err != nil {
		return false
	}
	parts := strings.Split(ck.Value, ".")
	if len(parts) != 3 {
		return false
	}
	id, err1 := strconv.ParseInt(parts[0], 10, 64)
	issued, err2 := strconv.ParseInt(parts[1], 10, 64)
	if err1 != nil || err2 != nil || id != personID {
		return false
	}
	if age := s.db.Now().Sub(time.Unix(issued, 0)); age < 0 || age > knownDeviceLife {
		return false
	}
	return hmac.Equal([]byte(parts[2]), []byte(s.deviceMAC(id, issued)))
}
