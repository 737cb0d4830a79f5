package account

import (
	"context"

	"toandan/internal/errs"
)

// Action is something a user may be allowed to do to a unit's data.
type Action string

const (
	ViewGeography Action = "geo.view"      // see a unit, its communes and residential areas
	EditAreas     Action = "area.edit"     // create and edit residential areas of a commune
	ManageUsers   Action = "user.manage"   // create accounts and reset passwords
	ManagePolice  Action = "police.edit"   // rename police units and change their jurisdictions
	ManageDaysOff Action = "calendar.edit" // edit the holiday calendar that time limits count on
	// MarkRemote: list a commune as remote (vùng sâu, vùng xa, biên giới,
	// hải đảo), which gives its police 48 hours rather than 24 to transfer
	// urgent sources. Provincial staff do it for their own province.
	MarkRemote Action = "remote.edit"

	// The movement (phong trào Toàn dân bảo vệ ANTQ).
	EditMovement   Action = "movement.edit"   // enter a commune's festival points, models, self-assessments
	ReviewMovement Action = "movement.review" // approve or return a commune's entries and recognition files; set festival plans
	ManageTargets  Action = "targets.manage"  // set targets for the units in scope
	ViewMovement   Action = "movement.view"   // see movement data and reports

	// PublishWarnings: write, publish and take down the security warnings
	// of the citizen portal, for the nation or a province in scope.
	PublishWarnings Action = "warning.publish"
)

// policy says which roles may do an action at all; the unit scope is checked
// separately, so that a role allowed here still acts only in its own subtree.
var policy = map[Action][]Role{
	ViewGeography: {Admin, Ministry, Province, Investigator, Commune, Procuracy},
	EditAreas:     {Admin, Commune},
	ManageUsers:   {Admin},
	ManagePolice:  {Admin, Province},
	ManageDaysOff: {Admin},
	MarkRemote:    {Admin, Province},

	EditMovement:   {Admin, Commune},
	ReviewMovement: {Admin, Ministry, Province},
	ManageTargets:  {Admin, Ministry, Province},
	ViewMovement:   {Admin, Ministry, Province, Investigator, Commune, Procuracy},

	PublishWarnings: {Admin, Ministry, Province},
}

// Allowed reports whether role r may do action a anywhere.
func Allowed(r Role, a Action) bool {
	for _, x := range policy[a] {
		if x == r {
			return true
		}
	}
	return false
}

// Authorize returns nil when u may do a on the unit with code, a Forbidden
// error when u's role may not do a at all, and a NotFound error when the unit
// lies outside u's subtree (so that guessing codes reveals nothing).
func (s *Service) Authorize(ctx context.Context, u User, a Action, code string) error {
	if !Allowed(u.Role, a) {
		return errs.E(errs.Forbidden, "Bạn không có quyền thực hiện thao tác này.")
	}
	ok, err := s.Geo.Within(ctx, u.UnitCode, code, s.Geo.Today())
	if err != nil {
		return err
	}
	if !ok {
		return errs.E(errs.NotFound, "Không tìm thấy đơn vị trong phạm vi quản lý của bạn.")
	}
	return nil
}
