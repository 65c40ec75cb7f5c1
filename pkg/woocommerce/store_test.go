package woocommerce_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/storesync/storesync/pkg/woocommerce"
	"github.com/storesync/storesync/pkg/woocommerce/woocommercetest"
)

func TestImageDownloadedOnceThenReusedByID(t *testing.T) {
	s := newStore(t, nil)
	ctx := context.Background()
	p := simple("IMG-1")
	p.Images = []woocommerce.Image{{Src: "https://pos.example/a/front.jpg",
		Alt: "front"}}
	got := s.createProducts(t, p)[0]
	if len(got.Images) != 1 || got.Images[0].ID == 0 {
		t.Fatalf("images = %+v, want one stored image", got.Images)
	}
	if n := s.emu.MediaDownloads(); n != 1 {
		t.Fatalf("%d downloads, want 1", n)
	}

	imageID := got.Images[0].ID
	for range 3 {
		res, err := s.client.BatchProducts(ctx,
			woocommerce.Batch[woocommerce.Product]{Update: []woocommerce.Product{{
				ID: got.ID, Images: []woocommerce.Image{{ID: imageID}},
			}}})
		if err != nil || res.Update[0].Err != nil {
			t.Fatalf("update by image id: %v %v", err, res.Update[0].Err)
		}
		if imgs := res.Update[0].Value.Images; len(imgs) != 1 ||
			imgs[0].ID != imageID {
			t.Fatalf("images after update = %+v", imgs)
		}
	}
	if n := s.emu.MediaDownloads(); n != 1 {
		t.Errorf("%d downloads after updates by id, want still 1", n)
	}

	// Sending the src again downloads it again: the documented quirk.
	s.createProducts(t, woocommerce.Product{Name: "again", SKU: "IMG-2",
		Images: []woocommerce.Image{{Src: "https://pos.example/a/front.jpg"}}})
	if n := s.emu.MediaDownloads(); n != 2 {
		t.Errorf("%d downloads, want 2", n)
	}
}

func TestImageErrorButSaved(t *testing.T) {
	s := newStore(t, nil)
	s.emu.Inject(woocommercetest.Fault{Path: "/products/batch",
		Kind: woocommercetest.FaultImageErrorButSaved})
	p := simple("IE-1")
	p.Images = []woocommerce.Image{{Src: "https://pos.example/ie.png"}}
	res, err := s.client.BatchProducts(context.Background(),
		woocommerce.Batch[woocommerce.Product]{Create: []woocommerce.Product{p}})
	if err != nil {
		t.Fatalf("batch: %v", err)
	}
	r := res.Create[0]
	if r.Err == nil || r.Err.Code != "woocommerce_product_image_upload_error" ||
		r.Value.ID != 0 {
		t.Fatalf("create = %+v %v, want an image error", r.Value.ID, r.Err)
	}
	if _, ok := s.emu.ProductBySKU("IE-1"); !ok {
		t.Error("the product should have been saved despite the error")
	}
}

func TestStrippedAuthorization(t *testing.T) {
	s := newStore(t, nil)
	s.emu.Inject(woocommercetest.Fault{Kind: woocommercetest.FaultStripAuth,
		Count: -1})
	_, err := s.client.Categories(context.Background())
	if !errors.Is(err, woocommerce.ErrConsumerKeyMissing) {
		t.Fatalf("error %v, want ErrConsumerKeyMissing", err)
	}
	if !strings.Contains(err.Error(), "query-string authentication") {
		t.Errorf("message %q does not suggest query-string auth", err)
	}
	var apiErr *woocommerce.Error
	if !errors.As(err, &apiErr) || apiErr.Status != 401 {
		t.Errorf("error %v does not carry the 401", err)
	}
	if n := s.emu.TotalRequests(); n != 1 {
		t.Errorf("%d attempts, want 1", n)
	}

	key, secret := s.emu.Credentials()
	q, err := woocommerce.New(woocommerce.Config{BaseURL: s.srv.URL,
		Key: key, Secret: secret, QueryAuth: true})
	if err != nil {
		t.Fatalf("new client: %v", err)
	}
	if _, err := q.Categories(context.Background()); err != nil {
		t.Errorf("query-string auth: %v", err)
	}
}

func TestWrongSecretIsNotMistakenForStripping(t *testing.T) {
	s := newStore(t, func(c *woocommerce.Config) { c.Secret = "wrong" })
	_, err := s.client.Categories(context.Background())
	var apiErr *woocommerce.Error
	if !errors.As(err, &apiErr) || apiErr.Status != 401 ||
		errors.Is(err, woocommerce.ErrConsumerKeyMissing) {
		t.Fatalf("error %v, want a plain 401", err)
	}
}

func TestPagedReads(t *testing.T) {
	s := newStore(t, nil)
	ctx := context.Background()
	var ps []woocommerce.Product
	for i := range 130 {
		ps = append(ps, simple(fmt.Sprintf("PG-%03d", i)))
	}
	s.createProducts(t, ps...)

	page, pages, err := s.client.Products(ctx, 2, 50)
	if err != nil || pages != 3 || len(page) != 50 ||
		page[0].SKU != "PG-050" {
		t.Fatalf("page 2: %d products, %d pages, %v", len(page), pages, err)
	}
	if _, _, err := s.client.Products(ctx, 1, 101); err == nil {
		t.Error("per page 101 accepted")
	}

	parent := s.createProducts(t, woocommerce.Product{Name: "V",
		Type: "variable", SKU: "V",
		Attributes: []woocommerce.Attribute{{Name: "N", Variation: true,
			Options: []string{"x"}}},
		ManageStock: yes(), StockQuantity: qty(5)})[0]
	var vs []woocommerce.Variation
	for i := range 120 {
		vs = append(vs, woocommerce.Variation{SKU: fmt.Sprintf("V-%03d", i),
			RegularPrice: str("1")})
	}
	res, err := s.client.BatchVariations(ctx, parent.ID,
		woocommerce.Batch[woocommerce.Variation]{Create: vs})
	if err != nil || len(res.Create) != 120 {
		t.Fatalf("create variations: %d %v", len(res.Create), err)
	}
	got, err := s.client.Variations(ctx, parent.ID)
	if err != nil || len(got) != 120 {
		t.Fatalf("variations: %d %v", len(got), err)
	}
	if got[0].ParentID != parent.ID || got[0].ManageStock != nil {
		t.Errorf("variation = %+v, want parent-managed stock", got[0])
	}
	one, err := s.client.Product(ctx, got[5].ID)
	if err != nil || one.ParentID != parent.ID || one.SKU != "V-005" {
		t.Errorf("product by variation id: %+v %v", one, err)
	}
}
