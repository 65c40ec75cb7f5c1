// Package lightspeedtest emulates the Lightspeed Retail (R-Series) API V3
// for tests and for the sandbox: an http.Handler that serves a seeded
// catalog in the documented shapes, with the documented quirks, limits
// and errors, and a shop floor that changes the catalog while it runs.
//
// What the emulator serves:
//
//   - GET /API/V3/Account.json and, under /API/V3/Account/{id}/, the lists
//     Item, ItemMatrix, ItemShop, Category, Manufacturer, Image, Tag,
//     ItemAttributeSet and Shop (.json), and single reads such as
//     Item/{id}.json.
//   - A list of one, or a relation of one, is a bare object; every number
//     and boolean is a string; an empty relation is "" and an empty list
//     leaves its key out. Prices always hold Default (1), MSRP (2) and
//     Online (3). ItemShops hold one row per shop plus shopID 0, whose qoh
//     is the net of all shops and whose sellable sums the shops that are
//     not negative.
//   - Filters field=OP,value with =, !=, >, >=, <, <=, >< (between), ~ and
//     !~ (LIKE, % wildcard) and IN; relation filters such as
//     TagRelations.tagID or ItemShops.shopID, which need the relation in
//     load_relations (400 otherwise); sort on documented fields only;
//     limit 1 to 100; archived=true|only; cursor pagination through
//     opaque after= values in next links that keep every parameter.
//   - POST /auth/oauth/token with rotating refresh tokens. The old refresh
//     token is revoked when an access token issued from it is first used,
//     so a lost refresh answer can be asked for again. Refresh tokens die
//     after 30 days unused; access tokens after Options.AccessTTL.
//   - A leaky bucket per OAuth client: each request costs 1 drip, plus 0.1
//     per to-one and 0.2 per to-many relation (doubled on lists and under a
//     to-many relation); count=1 costs 10. The request that first fills the
//     bucket past its size is served, later ones get 429 until it drains.
//     A one-second burst window allows BurstLimit requests.
//   - Image bytes under /images/{publicID}{ext}, a tiny fixed JPEG.
//
// What moves which timestamp is only partly documented. The emulator
// decides, and callers should not rely on more than this:
//
//   - Item.timeStamp moves on edits of the item itself: description
//     (SetDescription), a price change (SetPrice), tagging and untagging
//     (Tag, Untag), archiving and unarchiving.
//   - A sale or stock count (Sell, SetStock) moves only the ItemShop
//     timeStamp of that shop and of the shopID 0 row, never
//     Item.timeStamp. Archiving zeroes stock and so moves every ItemShop
//     row of the item too.
//   - Editing an image (SetImageDescription) moves Image.timeStamp only;
//     its publicID and its item's or matrix's timeStamp stay.
//   - Tagging a matrix (TagMatrix) moves ItemMatrix.timeStamp only; its
//     variants are untouched. AddVariant does not move the matrix.
//     ArchiveMatrix archives the matrix and each of its variants.
//
// Tag names are stored lower-case without spaces, as the API normalises
// them. Faults can be injected to test retries: see Inject. A JSON
// control API under /_sandbox/ mirrors the shop floor and the counters
// for scripts; see the routes in control.go.
package lightspeedtest
