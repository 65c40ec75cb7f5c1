package woocommerce

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
)

// Categories reads every product category.
func (c *Client) Categories(ctx context.Context) ([]Category, error) {
	cats, err := listAll[Category](ctx, c, "/products/categories", nil)
	if err != nil {
		return nil, fmt.Errorf("list categories: %w", err)
	}
	return cats, nil
}

// CreateCategory creates a category. A category of the same name under
// the same parent gives an *Error with Code "term_exists" and ResourceID
// naming the existing one; whether to use it is the caller's decision.
func (c *Client) CreateCategory(ctx context.Context,
	cat Category) (Category, error) {
	var out Category
	err := c.createTerm(ctx, "/products/categories", cat, &out)
	if err != nil {
		return Category{}, fmt.Errorf("create category %q: %w", cat.Name,
			err)
	}
	return out, nil
}

// UpdateCategory changes the name, slug or parent of category cat.ID.
func (c *Client) UpdateCategory(ctx context.Context,
	cat Category) (Category, error) {
	body, err := json.Marshal(cat)
	if err != nil {
		return Category{}, fmt.Errorf("encode category: %w", err)
	}
	cl := call{
		method: http.MethodPut,
		path:   "/products/categories/" + itoa(cat.ID),
		body:   body,
	}
	var out Category
	if _, err := c.do(ctx, c.newRetrier(), cl, &out); err != nil {
		return Category{}, fmt.Errorf("update category %d: %w", cat.ID, err)
	}
	return out, nil
}

// Brands reads every product brand.
func (c *Client) Brands(ctx context.Context) ([]Brand, error) {
	brands, err := listAll[Brand](ctx, c, "/products/brands", nil)
	if err != nil {
		return nil, fmt.Errorf("list brands: %w", err)
	}
	return brands, nil
}

// CreateBrand creates a brand; a duplicate is reported like one of
// CreateCategory.
func (c *Client) CreateBrand(ctx context.Context, b Brand) (Brand, error) {
	var out Brand
	if err := c.createTerm(ctx, "/products/brands", b, &out); err != nil {
		return Brand{}, fmt.Errorf("create brand %q: %w", b.Name, err)
	}
	return out, nil
}

// createTerm posts a new term. Like any create it is not repeated once it
// may have reached the store.
func (c *Client) createTerm(ctx context.Context, path string, term,
	out any) error {
	body, err := json.Marshal(term)
	if err != nil {
		return fmt.Errorf("encode term: %w", err)
	}
	cl := call{
		method:  http.MethodPost,
		path:    path,
		body:    body,
		creates: true,
	}
	_, err = c.do(ctx, c.newRetrier(), cl, out)
	var uncertain *UncertainError
	if errors.As(err, &uncertain) {
		uncertain.Creates = 1
	}
	return err
}
