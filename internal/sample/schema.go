package sample

import "strings"

// table is one table of the sample schema, shaped as Django's MySQL backend
// creates it.
type table struct {
	name string
	cols []string // in the order the generator writes them
	body string   // CREATE TABLE body; {db} stands for the database
}

func (t *table) create(database string) string {
	return "CREATE TABLE `" + database + "`.`" + t.name + "` (\n" +
		strings.ReplaceAll(t.body, "{db}", database) +
		"\n) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci"
}

func (t *table) insertColumns() string {
	return "`" + strings.Join(t.cols, "`,`") + "`"
}

func tableByName(name string) *table {
	for i := range schema {
		if schema[i].name == name {
			return &schema[i]
		}
	}
	return nil
}

// Table names, as constants so that the generator and its tests agree.
const (
	tContentType   = "django_content_type"
	tPermission    = "auth_permission"
	tGroup         = "auth_group"
	tGroupPerms    = "auth_group_permissions"
	tUser          = "auth_user"
	tUserGroups    = "auth_user_groups"
	tUserPerms     = "auth_user_user_permissions"
	tAdminLog      = "django_admin_log"
	tMigrations    = "django_migrations"
	tSession       = "django_session"
	tCategory      = "inventory_category"
	tSupplier      = "inventory_supplier"
	tWarehouse     = "inventory_warehouse"
	tProduct       = "inventory_product"
	tCustomer      = "inventory_customer"
	tStockMovement = "inventory_stockmovement"
	tPurchaseOrder = "inventory_purchaseorder"
	tPurchaseLine  = "inventory_purchaseorderline"
	tSalesOrder    = "inventory_salesorder"
	tSalesLine     = "inventory_salesorderline"
	tAuditLog      = "inventory_auditlog"
)

// schema lists the tables, parents before children.
var schema = []table{
	{tContentType, []string{"id", "app_label", "model"}, `  id int(11) NOT NULL AUTO_INCREMENT,
  app_label varchar(100) NOT NULL,
  model varchar(100) NOT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY django_content_type_app_label_model_76bd3d3b_uniq (app_label, model)`},

	{tPermission, []string{"id", "name", "content_type_id", "codename"}, `  id int(11) NOT NULL AUTO_INCREMENT,
  name varchar(255) NOT NULL,
  content_type_id int(11) NOT NULL,
  codename varchar(100) NOT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY auth_permission_content_type_id_codename_01ab375a_uniq (content_type_id, codename),
  CONSTRAINT auth_permission_content_type_id_2f476e4b_fk_django_co FOREIGN KEY (content_type_id) REFERENCES ` + "`{db}`" + `.django_content_type (id)`},

	{tGroup, []string{"id", "name"}, `  id int(11) NOT NULL AUTO_INCREMENT,
  name varchar(150) NOT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY name (name)`},

	{tGroupPerms, []string{"id", "group_id", "permission_id"}, `  id bigint(20) NOT NULL AUTO_INCREMENT,
  group_id int(11) NOT NULL,
  permission_id int(11) NOT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY auth_group_permissions_group_id_permission_id_0cd325b0_uniq (group_id, permission_id),
  KEY auth_group_permissio_permission_id_84c5c92e_fk_auth_perm (permission_id),
  CONSTRAINT auth_group_permissio_permission_id_84c5c92e_fk_auth_perm FOREIGN KEY (permission_id) REFERENCES ` + "`{db}`" + `.auth_permission (id),
  CONSTRAINT auth_group_permissions_group_id_b120cbf9_fk_auth_group_id FOREIGN KEY (group_id) REFERENCES ` + "`{db}`" + `.auth_group (id)`},

	{tUser, []string{"id", "password", "last_login", "is_superuser", "username", "first_name", "last_name", "email", "is_staff", "is_active", "date_joined"}, `  id int(11) NOT NULL AUTO_INCREMENT,
  password varchar(128) NOT NULL,
  last_login datetime(6) DEFAULT NULL,
  is_superuser tinyint(1) NOT NULL,
  username varchar(150) NOT NULL,
  first_name varchar(150) NOT NULL,
  last_name varchar(150) NOT NULL,
  email varchar(254) NOT NULL,
  is_staff tinyint(1) NOT NULL,
  is_active tinyint(1) NOT NULL,
  date_joined datetime(6) NOT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY username (username)`},

	{tUserGroups, []string{"id", "user_id", "group_id"}, `  id bigint(20) NOT NULL AUTO_INCREMENT,
  user_id int(11) NOT NULL,
  group_id int(11) NOT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY auth_user_groups_user_id_group_id_94350c0c_uniq (user_id, group_id),
  KEY auth_user_groups_group_id_97559544_fk_auth_group_id (group_id),
  CONSTRAINT auth_user_groups_group_id_97559544_fk_auth_group_id FOREIGN KEY (group_id) REFERENCES ` + "`{db}`" + `.auth_group (id),
  CONSTRAINT auth_user_groups_user_id_6a12ed8b_fk_auth_user_id FOREIGN KEY (user_id) REFERENCES ` + "`{db}`" + `.auth_user (id)`},

	{tUserPerms, []string{"id", "user_id", "permission_id"}, `  id bigint(20) NOT NULL AUTO_INCREMENT,
  user_id int(11) NOT NULL,
  permission_id int(11) NOT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY auth_user_user_permissions_user_id_permission_id_14a6b632_uniq (user_id, permission_id),
  KEY auth_user_user_permi_permission_id_1fbb5f2c_fk_auth_perm (permission_id),
  CONSTRAINT auth_user_user_permi_permission_id_1fbb5f2c_fk_auth_perm FOREIGN KEY (permission_id) REFERENCES ` + "`{db}`" + `.auth_permission (id),
  CONSTRAINT auth_user_user_permissions_user_id_a95ead1b_fk_auth_user_id FOREIGN KEY (user_id) REFERENCES ` + "`{db}`" + `.auth_user (id)`},

	{tAdminLog, []string{"id", "action_time", "object_id", "object_repr", "action_flag", "change_message", "content_type_id", "user_id"}, `  id int(11) NOT NULL AUTO_INCREMENT,
  action_time datetime(6) NOT NULL,
  object_id longtext DEFAULT NULL,
  object_repr varchar(200) NOT NULL,
  action_flag smallint(5) unsigned NOT NULL CHECK (action_flag >= 0),
  change_message longtext NOT NULL,
  content_type_id int(11) DEFAULT NULL,
  user_id int(11) NOT NULL,
  PRIMARY KEY (id),
  KEY django_admin_log_content_type_id_c4bce8eb_fk_django_co (content_type_id),
  KEY django_admin_log_user_id_c564eba6_fk_auth_user_id (user_id),
  CONSTRAINT django_admin_log_content_type_id_c4bce8eb_fk_django_co FOREIGN KEY (content_type_id) REFERENCES ` + "`{db}`" + `.django_content_type (id),
  CONSTRAINT django_admin_log_user_id_c564eba6_fk_auth_user_id FOREIGN KEY (user_id) REFERENCES ` + "`{db}`" + `.auth_user (id)`},

	{tMigrations, []string{"id", "app", "name", "applied"}, `  id bigint(20) NOT NULL AUTO_INCREMENT,
  app varchar(255) NOT NULL,
  name varchar(255) NOT NULL,
  applied datetime(6) NOT NULL,
  PRIMARY KEY (id)`},

	{tSession, []string{"session_key", "session_data", "expire_date"}, `  session_key varchar(40) NOT NULL,
  session_data longtext NOT NULL,
  expire_date datetime(6) NOT NULL,
  PRIMARY KEY (session_key),
  KEY django_session_expire_date_a5c62663 (expire_date)`},

	{tCategory, []string{"id", "name", "slug", "description", "parent_id", "sort_order", "is_active", "created_at", "updated_at"}, `  id bigint(20) NOT NULL AUTO_INCREMENT,
  name varchar(100) NOT NULL,
  slug varchar(120) NOT NULL,
  description longtext NOT NULL,
  parent_id bigint(20) DEFAULT NULL,
  sort_order int(10) unsigned NOT NULL CHECK (sort_order >= 0),
  is_active tinyint(1) NOT NULL,
  created_at datetime(6) NOT NULL,
  updated_at datetime(6) NOT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY slug (slug),
  KEY inventory_category_parent_id_4b8b2d4e_fk_inventory_category_id (parent_id),
  CONSTRAINT inventory_category_parent_id_4b8b2d4e_fk_inventory_category_id FOREIGN KEY (parent_id) REFERENCES ` + "`{db}`" + `.inventory_category (id)`},

	{tSupplier, []string{"id", "name", "contact_name", "email", "phone", "address", "country", "website", "logo", "notes", "is_active", "created_at", "updated_at"}, `  id bigint(20) NOT NULL AUTO_INCREMENT,
  name varchar(200) NOT NULL,
  contact_name varchar(150) NOT NULL,
  email varchar(254) NOT NULL,
  phone varchar(32) NOT NULL,
  address longtext NOT NULL,
  country varchar(2) NOT NULL,
  website varchar(200) NOT NULL,
  logo varchar(100) NOT NULL,
  notes longtext NOT NULL,
  is_active tinyint(1) NOT NULL,
  created_at datetime(6) NOT NULL,
  updated_at datetime(6) NOT NULL,
  PRIMARY KEY (id),
  KEY inventory_supplier_name_3c7b54f1 (name)`},

	{tWarehouse, []string{"id", "code", "name", "address", "city", "country", "capacity", "is_active", "created_at"}, `  id bigint(20) NOT NULL AUTO_INCREMENT,
  code varchar(20) NOT NULL,
  name varchar(100) NOT NULL,
  address longtext NOT NULL,
  city varchar(100) NOT NULL,
  country varchar(2) NOT NULL,
  capacity int(10) unsigned NOT NULL CHECK (capacity >= 0),
  is_active tinyint(1) NOT NULL,
  created_at datetime(6) NOT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY code (code)`},

	{tProduct, []string{"id", "sku", "name", "slug", "description", "category_id", "supplier_id", "unit_price", "cost_price", "tax_rate", "weight_kg", "quantity_on_hand", "reorder_level", "barcode", "attributes", "image", "thumbnail", "is_active", "created_at", "updated_at"}, `  id bigint(20) NOT NULL AUTO_INCREMENT,
  sku varchar(32) NOT NULL,
  name varchar(200) NOT NULL,
  slug varchar(220) NOT NULL,
  description longtext NOT NULL,
  category_id bigint(20) NOT NULL,
  supplier_id bigint(20) DEFAULT NULL,
  unit_price decimal(12,2) NOT NULL,
  cost_price decimal(12,2) NOT NULL,
  tax_rate decimal(5,2) NOT NULL,
  weight_kg decimal(8,3) DEFAULT NULL,
  quantity_on_hand int(11) NOT NULL,
  reorder_level int(10) unsigned NOT NULL CHECK (reorder_level >= 0),
  barcode varchar(13) NOT NULL,
  attributes json NOT NULL,
  image varchar(100) NOT NULL,
  thumbnail longblob DEFAULT NULL,
  is_active tinyint(1) NOT NULL,
  created_at datetime(6) NOT NULL,
  updated_at datetime(6) NOT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY sku (sku),
  UNIQUE KEY slug (slug),
  KEY inventory_product_category_id_9b6f5a1c_fk_inventory_category_id (category_id),
  KEY inventory_product_supplier_id_5c0e2ad7_fk_inventory_supplier_id (supplier_id),
  KEY inventory_product_name_8f2d3c1a (name),
  KEY inventory_product_barcode_0b1e7d55 (barcode),
  CONSTRAINT inventory_product_category_id_9b6f5a1c_fk_inventory_category_id FOREIGN KEY (category_id) REFERENCES ` + "`{db}`" + `.inventory_category (id),
  CONSTRAINT inventory_product_supplier_id_5c0e2ad7_fk_inventory_supplier_id FOREIGN KEY (supplier_id) REFERENCES ` + "`{db}`" + `.inventory_supplier (id)`},

	{tCustomer, []string{"id", "name", "company", "email", "phone", "address", "city", "postal_code", "country", "credit_limit", "notes", "created_at"}, `  id bigint(20) NOT NULL AUTO_INCREMENT,
  name varchar(150) NOT NULL,
  company varchar(200) NOT NULL,
  email varchar(254) NOT NULL,
  phone varchar(32) NOT NULL,
  address longtext NOT NULL,
  city varchar(100) NOT NULL,
  postal_code varchar(16) NOT NULL,
  country varchar(2) NOT NULL,
  credit_limit decimal(12,2) NOT NULL,
  notes longtext NOT NULL,
  created_at datetime(6) NOT NULL,
  PRIMARY KEY (id),
  KEY inventory_customer_email_2e1b7a9c (email)`},

	{tStockMovement, []string{"id", "product_id", "warehouse_id", "movement_type", "quantity", "unit_cost", "reference", "note", "created_by_id", "created_at"}, `  id bigint(20) NOT NULL AUTO_INCREMENT,
  product_id bigint(20) NOT NULL,
  warehouse_id bigint(20) NOT NULL,
  movement_type varchar(10) NOT NULL,
  quantity int(11) NOT NULL,
  unit_cost decimal(12,2) DEFAULT NULL,
  reference varchar(64) NOT NULL,
  note varchar(255) NOT NULL,
  created_by_id int(11) DEFAULT NULL,
  created_at datetime(6) NOT NULL,
  PRIMARY KEY (id),
  KEY inventory_stockmovement_product_id_created_at_6a1f0c3e_idx (product_id, created_at),
  KEY inventory_stockmovement_warehouse_id_0d5c9b7a_fk_inventory_wareh (warehouse_id),
  KEY inventory_stockmovement_created_by_id_7e2d4f18_fk_auth_user_id (created_by_id),
  KEY inventory_stockmovement_created_at_3b9a6e20 (created_at),
  CONSTRAINT inventory_stockmovement_product_id_1c5e8f3a_fk_inventory_product FOREIGN KEY (product_id) REFERENCES ` + "`{db}`" + `.inventory_product (id),
  CONSTRAINT inventory_stockmovement_warehouse_id_0d5c9b7a_fk_inventory_wareh FOREIGN KEY (warehouse_id) REFERENCES ` + "`{db}`" + `.inventory_warehouse (id),
  CONSTRAINT inventory_stockmovement_created_by_id_7e2d4f18_fk_auth_user_id FOREIGN KEY (created_by_id) REFERENCES ` + "`{db}`" + `.auth_user (id)`},

	{tPurchaseOrder, []string{"id", "number", "supplier_id", "warehouse_id", "status", "order_date", "expected_date", "total", "currency", "notes", "created_by_id", "created_at", "updated_at"}, `  id bigint(20) NOT NULL AUTO_INCREMENT,
  number varchar(20) NOT NULL,
  supplier_id bigint(20) NOT NULL,
  warehouse_id bigint(20) NOT NULL,
  status varchar(12) NOT NULL,
  order_date date NOT NULL,
  expected_date date DEFAULT NULL,
  total decimal(14,2) NOT NULL,
  currency varchar(3) NOT NULL,
  notes longtext NOT NULL,
  created_by_id int(11) DEFAULT NULL,
  created_at datetime(6) NOT NULL,
  updated_at datetime(6) NOT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY number (number),
  KEY inventory_purchaseorder_supplier_id_4f6b1e2d_fk_inventory_suppli (supplier_id),
  KEY inventory_purchaseorder_warehouse_id_9a3c7d5e_fk_inventory_wareh (warehouse_id),
  KEY inventory_purchaseorder_created_by_id_2b8e6f41_fk_auth_user_id (created_by_id),
  KEY inventory_purchaseorder_status_order_date_5d2a9c7b_idx (status, order_date),
  CONSTRAINT inventory_purchaseorder_supplier_id_4f6b1e2d_fk_inventory_suppli FOREIGN KEY (supplier_id) REFERENCES ` + "`{db}`" + `.inventory_supplier (id),
  CONSTRAINT inventory_purchaseorder_warehouse_id_9a3c7d5e_fk_inventory_wareh FOREIGN KEY (warehouse_id) REFERENCES ` + "`{db}`" + `.inventory_warehouse (id),
  CONSTRAINT inventory_purchaseorder_created_by_id_2b8e6f41_fk_auth_user_id FOREIGN KEY (created_by_id) REFERENCES ` + "`{db}`" + `.auth_user (id)`},

	{tPurchaseLine, []string{"id", "order_id", "product_id", "quantity", "unit_cost", "received_quantity"}, `  id bigint(20) NOT NULL AUTO_INCREMENT,
  order_id bigint(20) NOT NULL,
  product_id bigint(20) NOT NULL,
  quantity int(10) unsigned NOT NULL CHECK (quantity >= 0),
  unit_cost decimal(12,2) NOT NULL,
  received_quantity int(10) unsigned NOT NULL CHECK (received_quantity >= 0),
  PRIMARY KEY (id),
  KEY inventory_purchaseorderline_order_id_6c1d8e2f_fk_inventory_purch (order_id),
  KEY inventory_purchaseorderline_product_id_3e9b5a7c_fk_inventory_pro (product_id),
  CONSTRAINT inventory_purchaseorderline_order_id_6c1d8e2f_fk_inventory_purch FOREIGN KEY (order_id) REFERENCES ` + "`{db}`" + `.inventory_purchaseorder (id),
  CONSTRAINT inventory_purchaseorderline_product_id_3e9b5a7c_fk_inventory_pro FOREIGN KEY (product_id) REFERENCES ` + "`{db}`" + `.inventory_product (id)`},

	{tSalesOrder, []string{"id", "number", "customer_id", "warehouse_id", "status", "order_date", "shipped_at", "subtotal", "tax", "total", "currency", "shipping_address", "created_by_id", "created_at", "updated_at"}, `  id bigint(20) NOT NULL AUTO_INCREMENT,
  number varchar(20) NOT NULL,
  customer_id bigint(20) NOT NULL,
  warehouse_id bigint(20) NOT NULL,
  status varchar(12) NOT NULL,
  order_date date NOT NULL,
  shipped_at datetime(6) DEFAULT NULL,
  subtotal decimal(14,2) NOT NULL,
  tax decimal(14,2) NOT NULL,
  total decimal(14,2) NOT NULL,
  currency varchar(3) NOT NULL,
  shipping_address longtext NOT NULL,
  created_by_id int(11) DEFAULT NULL,
  created_at datetime(6) NOT NULL,
  updated_at datetime(6) NOT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY number (number),
  KEY inventory_salesorder_customer_id_8d4f2b6a_fk_inventory_customer (customer_id),
  KEY inventory_salesorder_warehouse_id_1a7e3c9d_fk_inventory_warehous (warehouse_id),
  KEY inventory_salesorder_created_by_id_5f2c8a1e_fk_auth_user_id (created_by_id),
  KEY inventory_salesorder_status_order_date_7c3e1b5f_idx (status, order_date),
  CONSTRAINT inventory_salesorder_customer_id_8d4f2b6a_fk_inventory_customer FOREIGN KEY (customer_id) REFERENCES ` + "`{db}`" + `.inventory_customer (id),
  CONSTRAINT inventory_salesorder_warehouse_id_1a7e3c9d_fk_inventory_warehous FOREIGN KEY (warehouse_id) REFERENCES ` + "`{db}`" + `.inventory_warehouse (id),
  CONSTRAINT inventory_salesorder_created_by_id_5f2c8a1e_fk_auth_user_id FOREIGN KEY (created_by_id) REFERENCES ` + "`{db}`" + `.auth_user (id)`},

	{tSalesLine, []string{"id", "order_id", "product_id", "quantity", "unit_price", "discount", "line_total"}, `  id bigint(20) NOT NULL AUTO_INCREMENT,
  order_id bigint(20) NOT NULL,
  product_id bigint(20) NOT NULL,
  quantity int(10) unsigned NOT NULL CHECK (quantity >= 0),
  unit_price decimal(12,2) NOT NULL,
  discount decimal(5,2) NOT NULL,
  line_total decimal(14,2) NOT NULL,
  PRIMARY KEY (id),
  KEY inventory_salesorderline_order_id_2d6a9f4b_fk_inventory_salesord (order_id),
  KEY inventory_salesorderline_product_id_9e1c5b3a_fk_inventory_produc (product_id),
  CONSTRAINT inventory_salesorderline_order_id_2d6a9f4b_fk_inventory_salesord FOREIGN KEY (order_id) REFERENCES ` + "`{db}`" + `.inventory_salesorder (id),
  CONSTRAINT inventory_salesorderline_product_id_9e1c5b3a_fk_inventory_produc FOREIGN KEY (product_id) REFERENCES ` + "`{db}`" + `.inventory_product (id)`},

	{tAuditLog, []string{"id", "user_id", "action", "model", "object_id", "changes", "ip_address", "user_agent", "created_at"}, `  id bigint(20) NOT NULL AUTO_INCREMENT,
  user_id int(11) DEFAULT NULL,
  action varchar(20) NOT NULL,
  model varchar(100) NOT NULL,
  object_id varchar(64) NOT NULL,
  changes json NOT NULL,
  ip_address char(39) DEFAULT NULL,
  user_agent varchar(255) NOT NULL,
  created_at datetime(6) NOT NULL,
  PRIMARY KEY (id),
  KEY inventory_auditlog_model_object_id_4a8c2e6f_idx (model, object_id),
  KEY inventory_auditlog_created_at_0f3b7d19 (created_at),
  KEY inventory_auditlog_user_id_6b2e9a4c_fk_auth_user_id (user_id),
  CONSTRAINT inventory_auditlog_user_id_6b2e9a4c_fk_auth_user_id FOREIGN KEY (user_id) REFERENCES ` + "`{db}`" + `.auth_user (id)`},
}

// models are the Django models behind django_content_type, in the order
// Django registers them.
var models = []struct{ app, model, verbose string }{
	{"admin", "logentry", "log entry"},
	{"auth", "permission", "permission"},
	{"auth", "group", "group"},
	{"auth", "user", "user"},
	{"contenttypes", "contenttype", "content type"},
	{"sessions", "session", "session"},
	{"inventory", "category", "category"},
	{"inventory", "supplier", "supplier"},
	{"inventory", "warehouse", "warehouse"},
	{"inventory", "product", "product"},
	{"inventory", "customer", "customer"},
	{"inventory", "stockmovement", "stock movement"},
	{"inventory", "purchaseorder", "purchase order"},
	{"inventory", "purchaseorderline", "purchase order line"},
	{"inventory", "salesorder", "sales order"},
	{"inventory", "salesorderline", "sales order line"},
	{"inventory", "auditlog", "audit log"},
}

// migrations are the rows of django_migrations, in the order `manage.py
// migrate` applies them on a new database.
var migrations = [][2]string{
	{"contenttypes", "0001_initial"},
	{"auth", "0001_initial"},
	{"admin", "0001_initial"},
	{"admin", "0002_logentry_remove_auto_add"},
	{"admin", "0003_logentry_add_action_flag_choices"},
	{"contenttypes", "0002_remove_content_type_name"},
	{"auth", "0002_alter_permission_name_max_length"},
	{"auth", "0003_alter_user_email_max_length"},
	{"auth", "0004_alter_user_username_opts"},
	{"auth", "0005_alter_user_last_login_null"},
	{"auth", "0006_require_contenttypes_0002"},
	{"auth", "0007_alter_validators_add_error_messages"},
	{"auth", "0008_alter_user_username_max_length"},
	{"auth", "0009_alter_user_last_name_max_length"},
	{"auth", "0010_alter_group_name_max_length"},
	{"auth", "0011_update_proxy_permissions"},
	{"auth", "0012_alter_user_first_name_max_length"},
	{"inventory", "0001_initial"},
	{"inventory", "0002_supplier_logo"},
	{"inventory", "0003_warehouse_stockmovement"},
	{"inventory", "0004_product_attributes"},
	{"inventory", "0005_product_thumbnail"},
	{"inventory", "0006_purchaseorder_purchaseorderline"},
	{"inventory", "0007_customer_salesorder_salesorderline"},
	{"inventory", "0008_auditlog"},
	{"inventory", "0009_product_barcode_index"},
	{"inventory", "0010_alter_product_tax_rate"},
	{"sessions", "0001_initial"},
}
