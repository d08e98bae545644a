/// <reference path="../pb_data/types.d.ts" />
// Several mini-programs, one user (SPEC "Several mini-programs, one user"): a user's identity
// per app, `tbl_auth_identities`, and the conflicts an operator settles,
// `tbl_identity_conflicts`; `tbl_auth_users.unionid` becomes unique where set. Superusers only
// (no API rule), openids and unionids hidden. A PocketBase that ran 1700000000 gets it at its
// next `migrate up`.
//
// No identity is made here for the users already there: the migration cannot know BAI's
// primary app id. BAI gives a user found by `openid` its primary identity at the next sign-in
// (docs/storage.md, "Beside a live PocketBase").
migrate((app) => {
  const text = (name, extra) => Object.assign({ name, type: "text", max: 0 }, extra || {});
  const created = { name: "created", type: "autodate", onCreate: true, onUpdate: false };
  const users = app.findCollectionByNameOrId("tbl_auth_users");

  const repeated = arrayOf(new DynamicModel({ ids: "" }));
  app
    .db()
    .newQuery(
      "SELECT group_concat(id, ' and ') AS ids FROM tbl_auth_users WHERE unionid != ''" +
        " GROUP BY unionid HAVING count(*) > 1"
    )
    .all(repeated);
  if (repeated.length) {
    throw new Error(
      "tbl_auth_users: users share a unionid, which BAI's unique index forbids (BAI never" +
        " merges users: settle them, then migrate again): " +
        repeated.map((row) => row.ids).join("; ")
    );
  }

  const identities = new Collection({
    type: "base",
    name: "tbl_auth_identities",
    fields: [
      text("appid", { required: true }),
      text("openid", { required: true, hidden: true }),
      {
        name: "user",
        type: "relation",
        collectionId: users.id,
        cascadeDelete: true,
        maxSelect: 1,
        required: true,
      },
      text("unionid", { hidden: true }),
      created,
    ],
    indexes: [
      "CREATE UNIQUE INDEX ux_auth_identities_appid_openid ON tbl_auth_identities (appid, openid)",
      "CREATE UNIQUE INDEX ux_auth_identities_user_appid ON tbl_auth_identities (user, appid)",
    ],
  });
  app.save(identities);

  // Each conflict's id is the one BAI derives from it (15 characters, like a record id).
  const conflicts = new Collection({
    type: "base",
    name: "tbl_identity_conflicts",
    fields: [
      text("kind", { required: true }),
      text("appid", { required: true }),
      text("openid", { hidden: true }),
      text("unionid", { hidden: true }),
      text("pb_id"),
      text("other_pb_id"),
      text("state", { required: true }),
      created,
    ],
    indexes: [
      "CREATE INDEX ix_identity_conflicts_state_created ON tbl_identity_conflicts (state, created)",
      "CREATE INDEX ix_identity_conflicts_identity ON tbl_identity_conflicts (appid, openid)",
    ],
  });
  app.save(conflicts);

  users.indexes.push(
    "CREATE UNIQUE INDEX ux_auth_users_unionid ON tbl_auth_users (unionid) WHERE unionid != ''"
  );
  app.save(users);
}, (app) => {
  const users = app.findCollectionByNameOrId("tbl_auth_users");
  users.indexes = users.indexes.filter((index) => !index.includes("ux_auth_users_unionid"));
  app.save(users);
  app.delete(app.findCollectionByNameOrId("tbl_identity_conflicts"));
  app.delete(app.findCollectionByNameOrId("tbl_auth_identities"));
});
