package woocommerce

import (
	"encoding/json"
	"fmt"
)

// UnmarshalJSON reads a variation. WooCommerce sends manage_stock as the
// string "parent" when the stock is managed by the parent product; that
// reads as nil, since the variation does not manage stock itself.
func (v *Variation) UnmarshalJSON(data []byte) error {
	type plain Variation
	var aux struct {
		plain
		ManageStock json.RawMessage `json:"manage_stock"`
	}
	if err := json.Unmarshal(data, &aux); err != nil {
		return err
	}
	*v = Variation(aux.plain)
	v.ManageStock = nil
	if len(aux.ManageStock) == 0 || string(aux.ManageStock) == "null" {
		return nil
	}
	var b bool
	if err := json.Unmarshal(aux.ManageStock, &b); err == nil {
		v.ManageStock = &b
		return nil
	}
	var s string
	if err := json.Unmarshal(aux.ManageStock, &s); err != nil {
		return fmt.Errorf("decode manage_stock: %w", err)
	}
	return nil
}
