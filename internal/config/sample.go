package config

// Sample returns a commented configuration file with every setting, for
// "storesync init". Commented-out settings show their defaults.
func Sample() string {
	return sample
}

const sample = `# storesync configuration.
#
# Every setting can also come from an environment variable named STORESYNC_
# and the key in capitals with dots as underscores, such as
# STORESYNC_WOOCOMMERCE_URL or STORESYNC_BUDGET_DAY_PER_MINUTE. A variable
# wins over this file; a command-line flag wins over both.
#
# Secrets (client_secret, consumer_key, consumer_secret) may be written here
# only while this file is readable by its owner alone (chmod 600). Otherwise
# set them in the environment, or point "<name>_file" at a private file that
# holds just the secret. They are never taken from command-line flags.

# The SQLite file storesync keeps its memory in. A relative path is taken
# relative to this file's directory.
# state_file = "storesync.db"

[lightspeed]
# The numeric account ID (storesync auth prints it).
account_id = "123456"

# The API client registered with Lightspeed.
client_id = "your-client-id"
# client_secret = ""
# client_secret_file = "/etc/storesync/lightspeed-client-secret"

# API hosts; change them only to point at a test server.
# base_url = "https://api.lightspeedapp.com"
# token_url = "https://cloud.lightspeedapp.com/auth/oauth/token"
# authorize_url = "https://cloud.lightspeedapp.com/auth/oauth/authorize"

# Locations (shopID) whose sellable stock is added up for the web store.
# Empty means the all-locations total.
# shops = [1, 2]

# The price level sent as the regular price, and an optional level sent as
# the sale price ("" for none).
# price_level = "Default"
# sale_price_level = ""

# The item field used as the web SKU: "custom", "system", "manufacturer"
# or "upc".
# sku_field = "custom"

[woocommerce]
# The store's address; HTTPS is required except on this machine.
url = "https://shop.example.com"

# REST API keys (WooCommerce > Settings > Advanced > REST API).
# consumer_key = ""
# consumer_key_file = "/etc/storesync/woocommerce-key"
# consumer_secret = ""
# consumer_secret_file = "/etc/storesync/woocommerce-secret"

# Send the keys in the query string, for hosts that drop the
# Authorization header.
# query_auth = false

# Operations per batch request (1 to 100), and images per product batch.
# batch_size = 100
# image_batch_size = 10

# Status of products storesync creates: "publish" or "draft".
# new_status = "publish"

# How a product archived in Lightspeed is taken off sale: "draft",
# "private" or "outofstock". Products are never deleted.
# archived_status = "draft"

# Fields the retailer edits in the store: set when storesync creates a
# product, left alone after. Any of name, description, short_description,
# categories, brand, images, weight, dimensions.
# keep_fields = []

# Images: "sync" follows Lightspeed's images and their order; "create-only"
# sends them when a product is created, never after; "none" never sends any.
# image_mode = "sync"

# Whether an item with no image in Lightspeed removes the store's images.
# clear_images = false

# Brands: "brands" uses the store's brands (WooCommerce 9.6 and later, or
# the Brands extension); "attribute" shows the manufacturer as a visible
# Brand attribute instead.
# brand_mode = "brands"

# Whether a category storesync did not create, with the same name under the
# same parent, may be used instead of creating one.
# adopt_categories = false

[tags]
# Items or matrices carrying one of these Lightspeed tags are marked Sell on
# Web by tag-scan. Case and surrounding spaces are ignored. Removing a tag
# later does not unmark the item.
# names = ["webon"]

[budget]
# Lightspeed requests per minute shared by every storesync process on this
# host, by day and by night.
# day_per_minute = 30
# night_per_minute = 130

# When night starts and ends (HH:MM, 24-hour), in time_zone. The window may
# span midnight.
# night_starts = "18:00"
# night_ends = "07:00"
# time_zone = "America/Los_Angeles"

# Drips of Lightspeed's own rate-limit bucket left free for other use.
# reserve = 5

[run]
# How long one run may take. Unset, each job picks its own: sync 4m,
# sync-selected 30m, tag-scan and tag-sync 2h, sync-all 4h. Set here, it
# applies to every job; prefer --timeout on one crontab line.
# timeout = "4m"

# Most Lightspeed requests one run may make; 0 means no cap.
# max_requests = 0
`
