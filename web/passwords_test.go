package web

import (
	"net/http"
	"net/url"
	"testing"
)

// A new account can't take a common password or one holding its email's name: 422, translated,
// and the link still works afterwards.
func TestAcceptRefusesWeakPasswords(t *testing.T) {
	a := newApp(t)
	_, token := inviteAsAdmin(a, a.ids.wsLabs, "nina.new@contoso.example")
	b := a.browser()
	b.lang = "ru"
	b.get("/invitations/" + token)
	for _, tc := range []struct{ pw, msg string }{
		{"password1234", "Этот пароль слишком легко угадать: это один из самых распространённых паролей, распространённое слово с цифрами или последовательность клавиш или цифр. Выберите другой."},
		{"123456789012", "Этот пароль слишком легко угадать: это один из самых распространённых паролей, распространённое слово с цифрами или последовательность клавиш или цифр. Выберите другой."},
		{"qwertyuiopas", "Этот пароль слишком легко угадать: это один из самых распространённых паролей, распространённое слово с цифрами или последовательность клавиш или цифр. Выберите другой."},
		{"I-am-NINA.NEW-2026", "Пароль не должен содержать имя из вашего адреса электронной почты. Выберите другой."},
	} {
		r := b.post("/invitations/"+token, url.Values{"name": {"Nina"}, "password": {tc.pw}, "password_again": {tc.pw}})
		if r.status != http.StatusUnprocessableEntity || r.text("#err-password") != tc.msg {
			t.Errorf("%q: %d %q, want 422 %q", tc.pw, r.status, r.text("#err-password"), tc.msg)
		}
	}
	r := b.post("/invitations/"+token, url.Values{"name": {"Nina"}, "password": {"Blue-Kettle-Morning-77"}, "password_again": {"Blue-Kettle-Morning-77"}})
	if r.status != http.StatusSeeOther {
		t.Errorf("a good password: %d, want 303", r.status)
	}
}
