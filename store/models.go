package store

import "time"

// Tenant is a customer organisation (product.md §1: the English product says "Customer").
type Tenant struct {
	ID                int64
	Name              string
	ShowNamesTraining bool
	InProductFeedback bool
	CloudConsent      bool
	AdminModel        string // "", "delegation" or "administration"
	AdminGroupID      int64
	CSMPersonID       int64
	Version           int64
	CreatedAt         time.Time
}

// TenantRef names a tenant in the switcher.
type TenantRef struct {
	ID   int64
	Name string
	// Domain is the tenant's primary domain ("" when it has none): the switcher shows it, or
	// the ID, next to the name, which anyone can make look like another tenant's.
	Domain string
}

// Agreement is a support contract of a tenant.
type Agreement struct {
	ID       int64
	TenantID int64
	Number   string
	Kind     string // "unified" or "premier"
	StartsOn string // YYYY-MM-DD
	EndsOn   string
	Packages []Package
}

// Package is a part of an agreement.
type Package struct {
	ID       int64
	Code     string
	Name     string
	StartsOn string
	EndsOn   string
}

// Workspace is a space of a tenant where people work under one agreement.
type Workspace struct {
	ID            int64
	TenantID      int64
	AgreementID   int64
	AgreementKind string
	Name          string
	Description   string
	IsDefault     bool
	MSAException  bool
	Version       int64
	CreatedAt     time.Time
}

// Person is someone who can sign in. People are global; their ties to tenants are memberships.
type Person struct {
	ID           int64
	Email        string
	DisplayName  string
	AccountKind  string // "work" or "msa"
	Microsoft    bool
	Language     string // "", "en", "fr", "ru"
	Disabled     bool
	PasswordHash string
	Version      int64
	CreatedAt    time.Time
	// MailboxVerified: the person proved they read mail sent to their address (docs/security.md).
	MailboxVerified bool
	// LastTenantID is the tenant they used last, where their next sign-in lands (0: none yet).
	LastTenantID int64
}

// Actor is who is making a change, for the audit log.
type Actor struct {
	PersonID int64
	Email    string
}
