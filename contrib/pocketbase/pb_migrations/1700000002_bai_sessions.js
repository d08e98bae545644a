/// <reference path="../pb_data/types.d.ts" />
// Sessions and sign-out (SPEC "Sessions and sign-out"): one record per sign-in on one device,
// `tbl_auth_sessions`, whose id is the session's (the `sid` claim of the tokens BAI issues).
// `user` is a relation PocketBase deletes with the user; `ended` is empty while the session is
// open; `expires` is `created` plus BAI's BAI_SESSION_MAX_AGE, written by BAI when the session
// starts, so that the hook (pb_hooks/bai.pb.js) can refuse a token past it on PocketBase's own
// routes. Superusers only (no API rule). A PocketBase that ran 1700000001 gets it at its next
// `migrate up`.
migrate((app) => {
  const text = (name, extra) => Object.assign({ name, type: "text", max: 0 }, extra || {});
  const date = (name) => ({ name, type: "date" });
  const users = app.findCollectionByNameOrId("tbl_auth_users");

  const sessions = new Collection({
    type: "base",
    name: "tbl_auth_sessions",
    fields: [
      {
        name: "user",
        type: "relation",
        collectionId: users.id,
        cascadeDelete: true,
        maxSelect: 1,
        required: true,
      },
      text("app", { required: true }),
      { name: "created", type: "autodate", onCreate: true, onUpdate: false },
      date("renewed"),
      text("user_agent"),
      date("ended"),
      date("expires"),
    ],
    indexes: [
      "CREATE INDEX ix_auth_sessions_user_created ON tbl_auth_sessions (user, created)",
      "CREATE INDEX ix_auth_sessions_created ON tbl_auth_sessions (created)",
      "CREATE INDEX ix_auth_sessions_ended ON tbl_auth_sessions (ended) WHERE ended != ''",
    ],
  });
  app.save(sessions);
}, (app) => {
  app.delete(app.findCollectionByNameOrId("tbl_auth_sessions"));
});
