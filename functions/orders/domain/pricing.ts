import { Currency } from '../../contracts/api/common';
import type { FieldError } from '../../shared/errors';
import { UnprocessableError } from '../../shared/errors';
import type { ProductCopy } from './catalog-copy';
import type { OrderLine } from './order';

export interface RequestedLine {
  productId: string;
  quantity: number;
}

export interface PricedOrder {
  items: OrderLine[];
  totalCents: number;
  currency: Currency;
}

/**
 * Prices the requested lines from the order context's copy of the catalog, never from the
 * client: every product must be known and active, and all of one supported currency.
 */
export function priceOrder(lines: readonly RequestedLine[], copies: ReadonlyMap<string, ProductCopy>): PricedOrder {
  const unorderable = lines
    .map((line, index) => ({ line, index, copy: copies.get(line.productId) }))
    .filter(({ copy }) => copy?.status !== 'ACTIVE');
  if (unorderable.length > 0) {
    throw new UnorderableProductsError(unorderable.map(({ line, index }) => ({ productId: line.productId, index })));
  }
  const items = lines.map((line) => {
    const copy = copies.get(line.productId) as Extract<ProductCopy, { status: 'ACTIVE' }>;
    return { productId: line.productId, name: copy.name, quantity: line.quantity, unitPriceCents: copy.priceCents, currency: copy.currency };
  });
  const currencies = [...new Set(items.map((item) => item.currency))];
  const currency = Currency.safeParse(currencies[0]);
  if (currencies.length !== 1 || !currency.success) throw new UnsupportedCurrencyError(currencies);
  return {
    items: items.map(({ productId, name, quantity, unitPriceCents }) => ({ productId, name, quantity, unitPriceCents })),
    totalCents: items.reduce((sum, item) => sum + item.quantity * item.unitPriceCents, 0),
    currency: currency.data,
  };
}

/** Unknown and archived products look the same to the client: neither can be ordered. */
export class UnorderableProductsError extends UnprocessableError {
  override readonly code = 'unorderable-products';
  readonly productIds: string[];

  constructor(products: { productId: string; index: number }[]) {
    const errors: FieldError[] = products.map(({ index }) => ({
      path: `body.items.${index}.productId`,
      message: 'Unknown or archived product',
    }));
    super(`These products cannot be ordered: ${products.map((p) => p.productId).join(', ')}`, { errors });
    this.productIds = products.map((p) => p.productId);
  }
}

export class UnsupportedCurrencyError extends UnprocessableError {
  override readonly code = 'unsupported-currency';
  constructor(currencies: string[]) {
    super(`An order is paid in one supported currency; these products are priced in ${currencies.join(', ')}`);
  }
}
