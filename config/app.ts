import { BlockList, isIP } from 'node:net'
import env from '#start/env'
import app from '@adonisjs/core/services/app'
import { defineConfig } from '@adonisjs/core/http'

/** The named address sets of proxy-addr, which TRUSTED_PROXIES accepts. */
const NAMED_RANGES: Record<string, string[]> = {
  loopback: ['127.0.0.0/8', '::1/128'],
  linklocal: ['169.254.0.0/16', 'fe80::/10'],
  uniquelocal: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7'],
}

/**
 * TRUSTED_PROXIES (checked in start/env.ts) as the function http.trustProxy takes: `none` trusts
 * nobody. A list is compiled here because AdonisJS hands a string to proxy-addr as one address,
 * so "a, b" would not parse. IPv4-mapped IPv6 peers match their IPv4 ranges (BlockList).
 */
function trustProxy(setting: string) {
  if (setting === 'none') return false
  const trusted = new BlockList()
  const family = (address: string) => (isIP(address) === 6 ? 'ipv6' : 'ipv4')
  for (const entry of setting.split(',').map((part) => part.trim())) {
    for (const range of NAMED_RANGES[entry] ?? [entry]) {
      const [address, prefix] = range.split('/') as [string, string | undefined]
      if (prefix === undefined) trusted.addAddress(address, family(address))
      else trusted.addSubnet(address, Number(prefix), family(address))
    }
  }
  return (address: string) => isIP(address) !== 0 && trusted.check(address, family(address))
}

/**
 * HTTP server settings. Method spoofing is on so plain HTML forms can send
 * DELETE (`?_method=DELETE`) for leave-style resources.
 */
export const http = defineConfig({
  generateRequestId: true,
  allowMethodSpoofing: true,
  useAsyncLocalStorage: false,
  // Whose X-Forwarded-For to believe for request.ip() (rate limits, the session list). Behind
  // a proxy or balancer on another host, list it in TRUSTED_PROXIES, or every client has the
  // proxy's IP and shares its limits. Default: a proxy on this machine (loopback).
  trustProxy: trustProxy(env.get('TRUSTED_PROXIES') ?? 'loopback'),
  cookie: {
    domain: '',
    path: '/',
    maxAge: '2h',
    httpOnly: true,
    secure: app.inProduction,
    sameSite: 'lax',
  },
})

/** The public address of the app, used to check WebSocket and form origins. */
export const appUrl = env.get('APP_URL')
