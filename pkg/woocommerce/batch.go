package woocommerce

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
)

// BatchProducts creates, updates and deletes products. A batch of more than
// Config.BatchSize operations is sent in several calls; the results come
// back in request order, one per operation. On error the result holds the
// operations of the calls that completed, a prefix of each list. See the
// package documentation for what happens on an unknown outcome.
func (c *Client) BatchProducts(ctx context.Context,
	b Batch[Product]) (BatchResult[Product], error) {
	res, err := runBatch(ctx, c, "/products/batch", b)
	if err != nil {
		return res, fmt.Errorf("batch %d product operations: %w", b.Len(),
			err)
	}
	return res, nil
}

// BatchVariations creates, updates and deletes variations of one parent,
// like BatchProducts.
func (c *Client) BatchVariations(ctx context.Context, parentID int64,
	b Batch[Variation]) (BatchResult[Variation], error) {
	path := "/products/" + itoa(parentID) + "/variations/batch"
	res, err := runBatch(ctx, c, path, b)
	if err != nil {
		return res, fmt.Errorf("batch %d variation operations of "+
			"product %d: %w", b.Len(), parentID, err)
	}
	return res, nil
}

// batchAnswer is the body of a batch answer before each item is decoded.
type batchAnswer struct {
	Create []json.RawMessage `json:"create"`
	Update []json.RawMessage `json:"update"`
	Delete []json.RawMessage `json:"delete"`
}

func runBatch[T any](ctx context.Context, c *Client, path string,
	b Batch[T]) (BatchResult[T], error) {
	var res BatchResult[T]
	r := c.newRetrier()
	for _, chunk := range chunkBatch(b, c.batchSize) {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		if err := sendBatch(ctx, c, r, path, chunk, &res); err != nil {
			return res, err
		}
	}
	return res, nil
}

// sendBatch sends one call, splitting it in halves when the store cannot
// cope with its size, and appends its results to res.
func sendBatch[T any](ctx context.Context, c *Client, r *retrier,
	path string, b Batch[T], res *BatchResult[T]) error {
	body, err := json.Marshal(b)
	if err != nil {
		return fmt.Errorf("encode batch: %w", err)
	}
	cl := call{
		method:     http.MethodPost,
		path:       path,
		body:       body,
		creates:    len(b.Create) > 0,
		splittable: b.Len() > 1,
	}
	var ans batchAnswer
	_, err = c.do(ctx, r, cl, &ans)

	var split *splitError
	var apiErr *Error
	var uncertain *UncertainError
	switch {
	case errors.As(err, &split),
		b.Len() > 1 && errors.As(err, &apiErr) && apiErr.Status == 413:
		left, right := halveBatch(b)
		c.log.Warn().Err(err).Str("path", path).Int("ops", b.Len()).
			Msg("splitting batch")
		if err := sendBatch(ctx, c, r, path, left, res); err != nil {
			return err
		}
		return sendBatch(ctx, c, r, path, right, res)
	case errors.As(err, &uncertain):
		uncertain.Creates = len(b.Create)
		return err
	case err != nil:
		return err
	}
	return appendResults(b, ans, res)
}

// appendResults decodes the items of one answer, matched by position.
func appendResults[T any](b Batch[T], ans batchAnswer,
	res *BatchResult[T]) error {
	create, err := decodeItems[T](ans.Create, len(b.Create), "create")
	if err == nil {
		var update, del []Result[T]
		update, err = decodeItems[T](ans.Update, len(b.Update), "update")
		if err == nil {
			del, err = decodeItems[T](ans.Delete, len(b.Delete), "delete")
		}
		if err == nil {
			res.Create = append(res.Create, create...)
			res.Update = append(res.Update, update...)
			res.Delete = append(res.Delete, del...)
			return nil
		}
	}
	if len(b.Create) > 0 {
		// The store answered, but not in a way that says which creates
		// were saved.
		return &UncertainError{Creates: len(b.Create), Err: err}
	}
	return err
}

func decodeItems[T any](raws []json.RawMessage, want int,
	kind string) ([]Result[T], error) {
	if len(raws) != want {
		return nil, fmt.Errorf("read batch answer: %d %s results for %d "+
			"operations", len(raws), kind, want)
	}
	out := make([]Result[T], len(raws))
	for i, raw := range raws {
		var probe struct {
			Error *errorBody `json:"error"`
		}
		if err := json.Unmarshal(raw, &probe); err != nil {
			return nil, fmt.Errorf("decode %s result %d: %w", kind, i, err)
		}
		if probe.Error != nil {
			out[i].Err = probe.Error.toError(0)
			// A failed item still names its id (0 for a create).
			_ = json.Unmarshal(raw, &out[i].Value)
			continue
		}
		if err := json.Unmarshal(raw, &out[i].Value); err != nil {
			return nil, fmt.Errorf("decode %s result %d: %w", kind, i, err)
		}
	}
	return out, nil
}

// chunkBatch cuts a batch into calls of at most n operations, keeping the
// order creates, updates, deletes.
func chunkBatch[T any](b Batch[T], n int) []Batch[T] {
	var chunks []Batch[T]
	for b.Len() > 0 {
		var head Batch[T]
		head, b = cutBatch(b, n)
		chunks = append(chunks, head)
	}
	return chunks
}

// halveBatch splits a batch of at least two operations in two.
func halveBatch[T any](b Batch[T]) (Batch[T], Batch[T]) {
	return cutBatch(b, b.Len()/2)
}

// cutBatch returns the first n operations and the rest.
func cutBatch[T any](b Batch[T], n int) (head, rest Batch[T]) {
	k := min(n, len(b.Create))
	head.Create, rest.Create = b.Create[:k:k], b.Create[k:]
	n -= k
	k = min(n, len(b.Update))
	head.Update, rest.Update = b.Update[:k:k], b.Update[k:]
	n -= k
	k = min(n, len(b.Delete))
	head.Delete, rest.Delete = b.Delete[:k:k], b.Delete[k:]
	return head, rest
}
