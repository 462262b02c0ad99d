// The words of the synthetic store: names, e-mail domains, segments, countries, the product catalogue
// and order statuses, with the weights they are drawn with (percent tables, see random.ts).

import { percentTable } from './random.ts';

export const FIRST_NAMES: readonly string[] = (
  'Ana Ben Carla David Elena Felix Grace Hugo Isabel James Keiko Liam Maria Noah Olivia Pedro Quinn Rosa ' +
  'Samuel Tara Uma Victor Wen Ximena Yusuf Zoe Aiko Bruno Chloe Diego Emma Farah Gabriel Hana Ivan Julia ' +
  'Kofi Lucia Mateo Nina'
).split(' ');

export const LAST_NAMES: readonly string[] = (
  'Smith Silva Muller Tanaka Garcia Johnson Santos Schmidt Sato Martinez Brown Oliveira Schneider Suzuki ' +
  'Lopez Williams Souza Fischer Takahashi Gonzalez Jones Pereira Weber Watanabe Rodriguez Miller Costa ' +
  'Meyer Ito Hernandez Davis Almeida Wagner Yamamoto Perez Wilson Ferreira Becker Nakamura Sanchez'
).split(' ');

export const FIRST_NAMES_LOWER: readonly string[] = FIRST_NAMES.map((n) => n.toLowerCase());
export const LAST_NAMES_LOWER: readonly string[] = LAST_NAMES.map((n) => n.toLowerCase());

/** Reserved example domains (RFC 2606), so no generated address can reach anyone. */
export const EMAIL_DOMAINS = [
  'example.com',
  'example.net',
  'example.org',
  'mail.example.com',
  'shop.example.net',
] as const;

export const SEGMENTS = ['Consumer', 'Corporate', 'Home Office'] as const;
export const SEGMENT_TABLE = percentTable([52, 30, 18]);

export const COUNTRIES = [
  'United States',
  'Brazil',
  'Germany',
  'United Kingdom',
  'Japan',
  'Canada',
  'France',
  'India',
  'Mexico',
  'Australia',
] as const;
export const COUNTRY_TABLE = percentTable([28, 14, 10, 10, 8, 7, 7, 6, 5, 5]);

export interface Subcategory {
  category: string;
  subcategory: string;
  /** What one product of the subcategory is called in its name. */
  noun: string;
  /** Initial list prices are drawn in [minPrice, maxPrice] whole units, plus random cents. */
  minPrice: number;
  maxPrice: number;
}

const sub = (category: string, subcategory: string, noun: string, minPrice: number, maxPrice: number) => ({
  category,
  subcategory,
  noun,
  minPrice,
  maxPrice,
});

export const SUBCATEGORIES: readonly Subcategory[] = [
  sub('Electronics', 'Phones', 'Phone', 149, 1299),
  sub('Electronics', 'Laptops', 'Laptop', 399, 2499),
  sub('Electronics', 'Tablets', 'Tablet', 129, 1099),
  sub('Electronics', 'Headphones', 'Headphones', 19, 399),
  sub('Electronics', 'Accessories', 'Charger', 9, 79),
  sub('Furniture', 'Chairs', 'Chair', 49, 899),
  sub('Furniture', 'Tables', 'Table', 79, 1199),
  sub('Furniture', 'Bookcases', 'Bookcase', 59, 649),
  sub('Furniture', 'Furnishings', 'Lamp', 12, 199),
  sub('Office Supplies', 'Paper', 'Paper Pack', 3, 49),
  sub('Office Supplies', 'Binders', 'Binder', 2, 39),
  sub('Office Supplies', 'Storage', 'Storage Box', 8, 249),
  sub('Office Supplies', 'Art', 'Marker Set', 2, 59),
  sub('Office Supplies', 'Envelopes', 'Envelope Box', 3, 29),
  sub('Home & Kitchen', 'Appliances', 'Blender', 29, 599),
  sub('Home & Kitchen', 'Cookware', 'Pan', 15, 299),
];

export const BRANDS = [
  'Northwind',
  'Contoso',
  'Fabrikam',
  'Tailspin',
  'Litware',
  'Adatum',
  'Proseware',
] as const;
export const SERIES = ['Classic', 'Pro', 'Lite', 'Max', 'Eco', 'Studio'] as const;

/** Order statuses in the only order an order may move through; a cancelled order is deleted. */
export const ORDER_STATUSES = ['pending', 'paid', 'shipped', 'delivered'] as const;
export const Status = { pending: 0, paid: 1, shipped: 2, delivered: 3 } as const;

/** Order lines per checkout (a checkout is one transaction): 1, 2 or 3. */
export const BASKET_LINES_TABLE = percentTable([0, 62, 25, 13]);
/** Quantity per order line: 1 to 5. */
export const QUANTITY_TABLE = percentTable([0, 50, 25, 12, 8, 5]);
/** Discount in percent, by index: 0, 5, 10, 15, 20 — mostly none, as in the star-schema notebook. */
export const DISCOUNT_PERCENTS = [0, 5, 10, 15, 20] as const;
export const DISCOUNT_TABLE = percentTable([60, 20, 10, 5, 5]);

/**
 * A customer's address: `first.last<id>@domain`, and after the n-th change `first.last<id>.<n>@domain`.
 * Names are letters only, so the digits after them are the customer id: no two customers share an address.
 */
export function emailAddress(
  first: number,
  last: number,
  id: number,
  version: number,
  domain: number,
): string {
  const local = `${FIRST_NAMES_LOWER[first]}.${LAST_NAMES_LOWER[last]}${id}`;
  return `${version === 0 ? local : `${local}.${version}`}@${EMAIL_DOMAINS[domain]}`;
}
