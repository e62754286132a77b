package store

import "strings"

// likeEscaper makes the wildcards a person types (% and _) and the escape character literal.
var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

// containsPattern is a LIKE pattern, to be used with ESCAPE '\', matching any text that contains
// s literally: "100%" finds "100%", not everything. Every list search in the store uses it.
func containsPattern(s string) string {
	return "%" + likeEscaper.Replace(s) + "%"
}
