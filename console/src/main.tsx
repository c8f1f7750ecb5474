import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import './styles.css';

const queries = new QueryClient({
  defaultOptions: {
    // 4xx answers say something about the request: asking again would say the same.
    queries: { retry: (count, error) => count < 2 && !(error && 'status' in error && Number(error.status) >= 400 && Number(error.status) < 500), staleTime: 10_000, refetchOnWindowFocus: false },
  },
});

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <QueryClientProvider client={queries}>
      <App />
    </QueryClientProvider>
  </StrictMode>,
);
