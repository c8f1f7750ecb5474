// Who is signed in: read from GET /v1/session (the cookie itself is HttpOnly), kept for every screen.
import { createContext, useContext } from 'react';
import type { Answer } from './api/client';

export type SessionView = Answer<'/v1/session', 'get'>;

export const SessionContext = createContext<SessionView | null>(null);

export function useSession(): SessionView {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside a signed-in screen');
  return session;
}

export const isAdmin = (s: SessionView) => s.user.role === 'admin';
