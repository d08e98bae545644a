/// <reference path="../pb_data/types.d.ts" />
// The operator console's storage (SPEC "The operator console"): `tbl_bai_operators`, the people
// who run BAI (not WeChat users, not PocketBase's superusers), its email unique, and
// `tbl_bai_audit`, what they did, with indexes for the listing newest first, `(at, id)`, and the
// listing about one target, `(target, at, id)`. Ids are BAI's (15 characters of a-z0-9, like
// any record's); times are date fields BAI writes from its own clock. Superusers only (no API
// rule) like BAI's other collections: nobody else may list, change or delete an entry, and
// BAI's hook only adds and lists them. A PocketBase that ran 1700000003 gets both at its next
// `migrate up`.
migrate((app) => {
  const text = (name) => ({ name, type: "text", max: 0 });
  const date = (name) => ({ name, type: "date" });

  app.save(
    new Collection({
      type: "base",
      name: "tbl_bai_operators",
      fields: [text("email"), text("role"), text("password_hash"), date("created"), date("updated")],
      indexes: ["CREATE UNIQUE INDEX ux_bai_operators_email ON tbl_bai_operators (email)"],
    })
  );
  app.save(
    new Collection({
      type: "base",
      name: "tbl_bai_audit",
      fields: [date("at"), text("actor"), text("action"), text("target"), text("address"), text("detail")],
      indexes: [
        "CREATE INDEX ix_bai_audit_at_id ON tbl_bai_audit (at, id)",
        "CREATE INDEX ix_bai_audit_target_at_id ON tbl_bai_audit (target, at, id)",
      ],
    })
  );
}, (app) => {
  app.delete(app.findCollectionByNameOrId("tbl_bai_audit"));
  app.delete(app.findCollectionByNameOrId("tbl_bai_operators"));
});
