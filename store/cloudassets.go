package store

import (
	"context"

	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// The Cloud support request visibility dashboard (issue 12, point 6; Microsoft's "Cloud Support
// Request Visibility dashboard" page). Support cases about cloud resources show to holders of
// View all support cases only once the tenant consents, per Microsoft 365 tenant and per Azure
// subscription, by making the asset Visible. Holders of Manage … dashboard change it (Services
// Admin, Global Admin), holders of View … read it (the CSAM: read-only, as Microsoft's table says).

// Cloud asset kinds.
const (
	CloudM365Tenant        = "m365_tenant"
	CloudAzureSubscription = "azure_subscription"
)

// CloudAssetKinds lists the kinds in the order the page shows them.
var CloudAssetKinds = []string{CloudM365Tenant, CloudAzureSubscription}

// MaxCloudAssets bounds a tenant's assets (the page lists them all).
const MaxCloudAssets = 500

// cloudHistoryShown is how many visibility changes the page shows per asset, newest first.
const cloudHistoryShown = 10

// CloudAsset is one Microsoft 365 tenant or Azure subscription of the tenant.
type CloudAsset struct {
	ID         int64
	Kind       string
	Name       string
	ExternalID string
	Visible    bool
	CreatedAt  time.Time
	// History is the asset's visibility status history, newest first (the last few).
	History []CloudAssetChange
}

// CloudAssetChange is one entry of an asset's visibility status history.
type CloudAssetChange struct {
	Visible    bool
	ActorEmail string
	At         time.Time
}

// NewCloudAsset is what adding an asset needs, as typed.
type NewCloudAsset struct {
	Kind, Name, ExternalID string
}

// Validate trims the fields and checks them all: a known kind, a name of 1–100 characters
// without control characters, and a GUID (braces and case forgiven).
func (n *NewCloudAsset) Validate() error {
	n.Kind = strings.TrimSpace(n.Kind)
	n.Name = strings.TrimSpace(n.Name)
	n.ExternalID = NormalizeObjectID(n.ExternalID)
	fields := map[string]string{}
	if n.Kind != CloudM365Tenant && n.Kind != CloudAzureSubscription {
		fields["kind"] = "cloud.error.kind"
	}
	switch c := utf8.RuneCountInString(n.Name); {
	case c == 0:
		fields["name"] = "cloud.error.name_required"
	case c > 100 || strings.ContainsFunc(n.Name, unicode.IsControl):
		fields["name"] = "cloud.error.name_invalid"
	}
	if !objectIDPattern.MatchString(n.ExternalID) {
		fields["external_id"] = "cloud.error.guid"
	}
	if len(fields) > 0 {
		return &ValidationError{Fields: fields}
	}
	return nil
}

// CloudAssets lists the tenant's assets by kind and name with their recent history: two
// statements whatever the number of assets.
func (db *DB) CloudAssets(ctx context.Context, tenantID int64) ([]CloudAsset, error) {
	var out []CloudAsset
	err := db.readTx(ctx, func(tx *Tx) error {
		rows, err := tx.query(ctx, `SELECT id, kind, name, external_id, visible, created_at FROM cloud_assets
			WHERE tenant_id = ? ORDER BY kind = 'azure_subscription', name COLLATE NOCASE, id LIMIT ?`, tenantID, MaxCloudAssets)
		if err != nil {
			return fmt.Errorf("cloud assets of tenant %d: %w", tenantID, err)
		}
		at := map[int64]int{}
		for rows.Next() {
			var a CloudAsset
			var created string
			if err := rows.Scan(&a.ID, &a.Kind, &a.Name, &a.ExternalID, &a.Visible, &created); err != nil {
				rows.Close()
				return err
			}
			a.CreatedAt = parseTime(created)
			at[a.ID] = len(out)
			out = append(out, a)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		hist, err := tx.query(ctx, `SELECT asset_id, visible, actor_email, changed_at FROM (
				SELECT h.*, row_number() OVER (PARTITION BY asset_id ORDER BY id DESC) AS n FROM cloud_asset_history h WHERE tenant_id = ?)
			WHERE n <= ? ORDER BY asset_id, id DESC`, tenantID, cloudHistoryShown)
		if err != nil {
			return fmt.Errorf("cloud asset history: %w", err)
		}
		defer hist.Close()
		for hist.Next() {
			var id int64
			var c CloudAssetChange
			var when string
			if err := hist.Scan(&id, &c.Visible, &c.ActorEmail, &when); err != nil {
				return err
			}
			c.At = parseTime(when)
			if i, ok := at[id]; ok {
				out[i].History = append(out[i].History, c)
			}
		}
		return hist.Err()
	})
	return out, err
}

// cloudAssetAudit is what the audit log records of an asset.
type cloudAssetAudit struct {
	Kind       string `json:"kind"`
	Name       string `json:"name"`
	ExternalID string `json:"id"`
	Visible    bool   `json:"visible"`
}

// AddCloudAsset adds a Microsoft 365 tenant or an Azure subscription, not visible yet (consent
// is the Visible switch), with its first history entry and an audit row. The same GUID twice
// is a validation error by the field.
func (db *DB) AddCloudAsset(ctx context.Context, actor Actor, tenantID int64, n NewCloudAsset) (int64, error) {
	if err := n.Validate(); err != nil {
		return 0, err
	}
	var id int64
	err := db.writeTx(ctx, func(tx *Tx) error {
		var count int
		if err := tx.queryRow(ctx, `SELECT count(*) FROM cloud_assets WHERE tenant_id = ?`, tenantID).Scan(&count); err != nil {
			return err
		}
		if count >= MaxCloudAssets {
			return Refuse("cloud.error.too_many")
		}
		res, err := tx.exec(ctx, `INSERT INTO cloud_assets (tenant_id, kind, name, external_id, visible, created_at) VALUES (?, ?, ?, ?, 0, ?)`,
			tenantID, n.Kind, n.Name, n.ExternalID, tx.now())
		if isUniqueViolation(err) {
			return Invalid("external_id", "cloud.error.duplicate")
		}
		if err != nil {
			return fmt.Errorf("add cloud asset: %w", err)
		}
		if id, err = res.LastInsertId(); err != nil {
			return err
		}
		if err := cloudHistory(ctx, tx, tenantID, id, false, actor); err != nil {
			return err
		}
		return audit(ctx, tx, AuditEntry{TenantID: tenantID, Actor: actor, Action: "cloud_asset.add", TargetKind: "cloud_asset",
			TargetID: id, TargetLabel: n.Name, After: cloudAssetAudit{Kind: n.Kind, Name: n.Name, ExternalID: n.ExternalID}})
	})
	return id, err
}

// SetCloudAssetVisible switches an asset's Visible state (the consent), with a history entry
// and an audit row; the state it already has writes nothing. Another tenant's asset is
// ErrNotFound.
func (db *DB) SetCloudAssetVisible(ctx context.Context, actor Actor, tenantID, id int64, visible bool) error {
	return db.writeTx(ctx, func(tx *Tx) error {
		a, err := cloudAssetByID(ctx, tx, tenantID, id)
		if err != nil {
			return err
		}
		if a.Visible == visible {
			return nil
		}
		if _, err := tx.exec(ctx, `UPDATE cloud_assets SET visible = ? WHERE id = ?`, visible, id); err != nil {
			return fmt.Errorf("set visibility of cloud asset %d: %w", id, err)
		}
		if err := cloudHistory(ctx, tx, tenantID, id, visible, actor); err != nil {
			return err
		}
		if err := syncCloudConsent(ctx, tx, tenantID); err != nil {
			return err
		}
		return audit(ctx, tx, AuditEntry{TenantID: tenantID, Actor: actor, Action: "cloud_asset.visibility", TargetKind: "cloud_asset",
			TargetID: id, TargetLabel: a.Name, Before: map[string]bool{"visible": a.Visible}, After: map[string]bool{"visible": visible}})
	})
}

// RemoveCloudAsset removes an asset (its history goes with it; the audit log keeps the record).
func (db *DB) RemoveCloudAsset(ctx context.Context, actor Actor, tenantID, id int64) error {
	return db.writeTx(ctx, func(tx *Tx) error {
		a, err := cloudAssetByID(ctx, tx, tenantID, id)
		if err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `DELETE FROM cloud_assets WHERE id = ? AND tenant_id = ?`, id, tenantID); err != nil {
			return fmt.Errorf("remove cloud asset %d: %w", id, err)
		}
		if err := syncCloudConsent(ctx, tx, tenantID); err != nil {
			return err
		}
		return audit(ctx, tx, AuditEntry{TenantID: tenantID, Actor: actor, Action: "cloud_asset.remove", TargetKind: "cloud_asset",
			TargetID: id, TargetLabel: a.Name, Before: cloudAssetAudit{Kind: a.Kind, Name: a.Name, ExternalID: a.ExternalID, Visible: a.Visible}})
	})
}

func cloudAssetByID(ctx context.Context, tx *Tx, tenantID, id int64) (CloudAsset, error) {
	var a CloudAsset
	err := tx.queryRow(ctx, `SELECT id, kind, name, external_id, visible FROM cloud_assets WHERE id = ? AND tenant_id = ?`, id, tenantID).
		Scan(&a.ID, &a.Kind, &a.Name, &a.ExternalID, &a.Visible)
	if err != nil {
		return a, notFound(err)
	}
	return a, nil
}

func cloudHistory(ctx context.Context, tx *Tx, tenantID, assetID int64, visible bool, actor Actor) error {
	_, err := tx.exec(ctx, `INSERT INTO cloud_asset_history (tenant_id, asset_id, visible, actor_email, changed_at) VALUES (?, ?, ?, ?, ?)`,
		tenantID, assetID, visible, actor.Email, tx.now())
	if err != nil {
		return fmt.Errorf("cloud asset history: %w", err)
	}
	return nil
}

// syncCloudConsent keeps tenants.cloud_consent true exactly while an asset is visible.
func syncCloudConsent(ctx context.Context, tx *Tx, tenantID int64) error {
	_, err := tx.exec(ctx, `UPDATE tenants SET cloud_consent = EXISTS (SELECT 1 FROM cloud_assets WHERE tenant_id = ?1 AND visible = 1) WHERE id = ?1`, tenantID)
	if err != nil {
		return fmt.Errorf("cloud consent of tenant %d: %w", tenantID, err)
	}
	return nil
}
