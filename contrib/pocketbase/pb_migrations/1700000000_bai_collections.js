/// <reference path="../pb_data/types.d.ts" />
// The two collections BAI works with, as a PocketBase deployment of the WeChat API holds them:
// `tbl_auth_users` (an auth collection) and `tbl_company`. Field names and rules follow BAI's
// schema (SPEC "Data: tbl_auth_users"); `openid` and `unionid` are hidden.
migrate((app) => {
  const text = (name, extra) => Object.assign({ name, type: "text", max: 0 }, extra || {});
  const number = (name) => ({ name, type: "number", onlyInt: true });
  const stamps = [
    { name: "created", type: "autodate", onCreate: true, onUpdate: false },
    { name: "updated", type: "autodate", onCreate: true, onUpdate: true },
  ];

  const companies = new Collection({
    type: "base",
    name: "tbl_company",
    fields: [
      text("company_id", { required: true }),
      text("company_name"),
      text("company_status"),
      ...stamps,
    ],
    indexes: ["CREATE UNIQUE INDEX ux_company_company_id ON tbl_company (company_id)"],
  });
  app.save(companies);

  const users = new Collection({
    type: "auth",
    name: "tbl_auth_users",
    // PocketBase's own sign-ins and auth-refresh refuse a user BAI has disabled.
    authRule: 'users_status != "disabled"',
    fields: [
      text("openid", { hidden: true }),
      text("unionid", { hidden: true }),
      text("users_id"),
      text("users_idtype"),
      text("users_status"),
      text("users_convers_id"),
      text("users_id_number"),
      text("users_type"),
      text("users_name"),
      number("users_rank_level"),
      number("users_auth_type"),
      text("users_phone"),
      text("users_level"),
      text("users_picture"),
      text("company_id"),
      text("users_parent_id"),
      text("users_promo_code"),
      text("usergroups_id"),
      ...stamps,
    ],
    indexes: [
      "CREATE UNIQUE INDEX ux_auth_users_openid ON tbl_auth_users (openid) WHERE openid != ''",
      "CREATE UNIQUE INDEX ux_auth_users_users_phone ON tbl_auth_users (users_phone) WHERE users_phone != ''",
      "CREATE UNIQUE INDEX ux_auth_users_users_id ON tbl_auth_users (users_id) WHERE users_id != ''",
      "CREATE UNIQUE INDEX ux_auth_users_promo ON tbl_auth_users (users_promo_code) WHERE users_promo_code != ''",
    ],
  });
  app.save(users);
  // WeChat users have no email: a record is made from an openid alone.
  const saved = app.findCollectionByNameOrId("tbl_auth_users");
  saved.fields.getByName("email").required = false;
  app.save(saved);
}, (app) => {
  app.delete(app.findCollectionByNameOrId("tbl_auth_users"));
  app.delete(app.findCollectionByNameOrId("tbl_company"));
});
