package web

import "hubadmin/store/password"

// passwordProblemMessage names the translated message for a reason password.Problem gives.
// Every form where a person chooses a password shows these.
func passwordProblemMessage(problem string) string {
	switch problem {
	case password.TooShort:
		return "invitations.accept.error.password_short"
	case password.TooLong:
		return "invitations.accept.error.password_long"
	case password.HasEmailName:
		return "security.password.email"
	default:
		return "security.password.common"
	}
}
