/// <reference path="../pb_data/types.d.ts" />
// The operator console's reads of `tbl_auth_users` by registration time (SPEC "The operator
// console"): the users listing in `(created, id)` order, `bai users list`'s too, and the
// registrations per day over a range of `created`, read by an index instead of a scan of every
// user. A PocketBase that ran 1700000004 gets it at its next `migrate up`.
const INDEX = "CREATE INDEX ix_auth_users_created_id ON tbl_auth_users (created, id)";

migrate((app) => {
  const users = app.findCollectionByNameOrId("tbl_auth_users");
  users.indexes.push(INDEX);
  app.save(users);
}, (app) => {
  const users = app.findCollectionByNameOrId("tbl_auth_users");
  users.indexes = users.indexes.filter((index) => !index.includes("ix_auth_users_created_id"));
  app.save(users);
});
